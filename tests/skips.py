"""What a test says when it is skipped for a service the embedded defaults do not have;
CI's pass on the embedded defaults allows these skips and no other (tests/conftest.py)."""

NEEDS_POSTGRES = "needs Postgres"
NEEDS_REDIS_BROKER = "needs a Redis broker"
