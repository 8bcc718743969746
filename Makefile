# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
BOOTSTRAP_VERSION := 5.3.9
# The W3C's Nu HTML checker, which tests/portal/test_html_validity.py runs on Java 17+.
VNU_VERSION := 26.9.27
VNU := $(VENV)/vnu

.PHONY: install run test fuzz lint format worker beat migrate vendor-bootstrap clean

# Reinstalls whenever pyproject.toml changes.
$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(INSTALLED)

install: $(INSTALLED)

# The checker's jar, from the npm registry's vnu-jar package, kept out of git in .venv.
# `npm pack` fetches the package without running its install script (which would download
# a Java of its own). Without npm the HTML test skips, as the browser tests do without
# Chromium; CI installs npm and Java (.ci/run), and there the test must run.
$(VNU)/$(VNU_VERSION):
	@if ! command -v npm >/dev/null; then \
		echo "No npm: the HTML validity test will be skipped."; \
	else \
		rm -rf $(VNU) && mkdir -p $(VNU) && cd $(VNU) \
		&& npm pack --silent vnu-jar@$(VNU_VERSION) >/dev/null \
		&& tar xzf vnu-jar-$(VNU_VERSION).tgz --strip-components=3 package/build/dist/vnu.jar \
		&& rm vnu-jar-$(VNU_VERSION).tgz && touch $(VNU_VERSION); \
	fi

migrate: install
	$(BIN)/python manage.py migrate --noinput

run: migrate
	$(BIN)/python manage.py load_demo_city
	$(BIN)/python manage.py runserver 127.0.0.1:8000

# In parallel, a worker a core, at most four: each takes two of Redis' 16 databases
# (tests/conftest.py). pytest-randomly shuffles the order on every run and prints its seed
# (`make test PYTEST_ARGS=--randomly-seed=N` repeats one); tests/database.py keeps every
# test's database as it expects in any order, so work stealing only keeps it fast.
test: install $(VNU)/$(VNU_VERSION)
	$(BIN)/python -m pytest --numprocesses=auto --maxprocesses=4 --dist=worksteal $(PYTEST_ARGS)

# Hypothesis sends odd GETs and POSTs to every URL pattern and form as every kind of user
# (tests/fuzz) and prints how many requests it made and how many answered 500; the suite
# runs a small sample of it. `make fuzz FUZZ_REQUESTS=20000` goes further.
fuzz: install
	FUZZ_REQUESTS=$${FUZZ_REQUESTS:-5000} $(BIN)/python -m pytest tests/fuzz -p no:randomly $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py check

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

worker: install
	$(BIN)/celery -A portal worker --loglevel=INFO

beat: install
	$(BIN)/celery -A portal beat --loglevel=INFO --schedule=$(VENV)/celerybeat-schedule

# Refreshes the committed copy of Bootstrap from the npm registry (never a CDN).
vendor-bootstrap:
	rm -rf .vendor-tmp && mkdir .vendor-tmp
	cd .vendor-tmp && npm pack --silent bootstrap@$(BOOTSTRAP_VERSION) && tar xzf bootstrap-$(BOOTSTRAP_VERSION).tgz
	rm -rf static/vendor/bootstrap && mkdir -p static/vendor/bootstrap/css static/vendor/bootstrap/js
	cp .vendor-tmp/package/dist/css/bootstrap.min.css static/vendor/bootstrap/css/
	cp .vendor-tmp/package/dist/js/bootstrap.bundle.min.js static/vendor/bootstrap/js/
	cp .vendor-tmp/package/LICENSE static/vendor/bootstrap/LICENSE
	# The source maps are not vendored; a dangling reference would break collectstatic.
	sed -i '/sourceMappingURL/d' static/vendor/bootstrap/css/bootstrap.min.css static/vendor/bootstrap/js/bootstrap.bundle.min.js
	rm -rf .vendor-tmp

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
