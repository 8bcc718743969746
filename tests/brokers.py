"""Redis and Celery for the tests. Tasks run in-process unless a test asks for a real
worker (`celery_worker`). For the tests that take Redis away: a Redis server of the
test's own, on its own port, that the test stops and starts again; the production cache
with its Redis down; and the Celery app pointed at any broker."""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import kombu.pools
import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.db import connections

from portal import cache as fail_open_cache
from portal.celery import app as celery_app
from portal.config import redis_cache
from portal.outbox import broker_outage
from tests.skips import NEEDS_REDIS_BROKER

# Nothing listens there: a Redis that is down.
CLOSED_PORT_REDIS = "redis://127.0.0.1:1/0"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """A real redis-server on a port of its own, keeping nothing on disk."""

    def __init__(self, executable: str, directory: Path) -> None:
        self.executable = executable
        self.directory = directory
        self.port = _free_port()
        self.process: subprocess.Popen | None = None

    def url(self, database: int) -> str:
        return f"redis://127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                *(self.executable, "--bind", "127.0.0.1", "--port", str(self.port)),
                *("--save", "", "--appendonly", "no", "--dir", str(self.directory)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2),
            ):
                return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"redis-server did not come up on port {self.port}")

    @contextlib.contextmanager
    def hung(self) -> Iterator[None]:
        """The server stopped but not gone: the system still takes connections for it,
        and nothing ever answers on them."""
        self.process.send_signal(signal.SIGSTOP)
        try:
            yield
        finally:
            self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def redis_server(tmp_path) -> Iterator[RedisServer]:
    """A Redis of the test's own, started; skipped where no redis-server is installed,
    a failure in CI."""
    executable = shutil.which("redis-server")
    if executable is None:
        message = "no redis-server to start (apt-get install redis-server)"
        if os.environ.get("CI"):
            pytest.fail(message + "; CI must run the fault tests")
        pytest.skip(message)
    server = RedisServer(executable, tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def cache_down(settings) -> Iterator[None]:
    """The production cache, its Redis not answering."""
    settings.CACHES = {"default": redis_cache(CLOSED_PORT_REDIS)}
    fail_open_cache.outage.forget()
    yield
    fail_open_cache.outage.forget()


def _connections_forget() -> None:
    """Close the Celery app's pooled broker connections and drop its result backend, so
    the next use connects to what the configuration says now."""
    kombu.pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    celery_app._local.__dict__.pop("backend", None)


@contextlib.contextmanager
def celery_broker(url: str) -> Iterator[None]:
    """The Celery app sending tasks to the broker at `url` (and keeping results there), not
    running them in-process, as in production."""
    conf = celery_app.conf
    previous = {
        "broker_url": conf.broker_url,
        "result_backend": conf.result_backend,
        "task_always_eager": conf.task_always_eager,
    }
    _connections_forget()
    conf.update(broker_url=url, result_backend=url, task_always_eager=False)
    try:
        yield
    finally:
        _connections_forget()
        conf.update(previous)
        broker_outage.end()


@contextlib.contextmanager
def celery_worker_running() -> Iterator[None]:
    """A real worker thread consuming from the app's broker."""

    # The worker thread opens its own database connection; close it after each task so
    # the test database can be dropped at the end of the run.
    def close_worker_connections(**kwargs):
        connections.close_all()

    task_postrun.connect(close_worker_connections, weak=False)
    import celery.contrib.testing.tasks  # noqa: F401 - the ping task start_worker waits on

    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=True):
            yield
    finally:
        task_postrun.disconnect(close_worker_connections)


@pytest.fixture
def redis_broker(settings):
    """A real Redis broker: skipped without REDIS_URL (CI's pass on the real services
    has it; see pytest_sessionfinish)."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        pytest.skip(f"{NEEDS_REDIS_BROKER}: REDIS_URL is not set")
    return settings.CELERY_BROKER_URL


@pytest.fixture(autouse=True)
def _tasks_in_process(request):
    """Tasks run in-process, so a test sees their effects at once; the tests that want
    the real worker on Redis ask for `celery_worker`."""
    if "celery_worker" in request.fixturenames:
        yield
        return
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def celery_worker(redis_broker, transactional_db):
    """A real worker thread consuming from the Redis broker."""
    with celery_worker_running():
        yield
