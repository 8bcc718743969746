# One image for web, worker, beat and migrations (see docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint renders permit and receipt PDFs with Pango and HarfBuzz; fonts for the PDFs.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 \
        fonts-dejavu-core fonts-liberation2 \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 1000 portal
WORKDIR /app

COPY pyproject.toml README.md ./
COPY portal ./portal
COPY accounts ./accounts
COPY licensing ./licensing
COPY permits ./permits
COPY inspections ./inspections
COPY payments ./payments
COPY templates ./templates
COPY static ./static
COPY manage.py ./
RUN pip install -e .

# Collect static files with the production storage (hashed, compressed names). The
# settings refuse to load without production values, so give them throwaway ones.
RUN DEBUG=false SECRET_KEY="build-only-$(head -c 48 /dev/urandom | od -An -tx1 | tr -d ' \n')" \
    ALLOWED_HOSTS=build DATABASE_URL=postgres://build@localhost/build \
    REDIS_URL=redis://localhost:6379/0 EMAIL_URL=consolemail:// \
    python manage.py collectstatic --noinput

RUN mkdir -p /app/media && chown portal:portal /app/media
USER portal
EXPOSE 8000

CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", \
     "--timeout", "60", "--access-logfile", "-"]
