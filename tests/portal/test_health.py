"""/healthz reports database, cache and broker; a stopped service makes it 503."""

import json

from django.test import override_settings

from portal.config import redis_cache
from tests.brokers import CLOSED_PORT_REDIS
from tests.conftest import run_django


def test_healthy_services_answer_200(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["services"]) == {"database", "cache", "broker"}
    assert all(state.startswith("ok") for state in body["services"].values())
    assert response["Cache-Control"] == "no-store"


def test_health_answers_probes_with_an_unknown_host(client, db):
    response = client.get("/healthz", HTTP_HOST="10.0.0.7:8000")
    assert response.status_code == 200


@override_settings(CACHES={"default": redis_cache(CLOSED_PORT_REDIS)})
def test_a_stopped_cache_answers_503(client, db):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["services"]["cache"].startswith("unavailable")
    assert body["services"]["database"] == "ok"


@override_settings(CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL=CLOSED_PORT_REDIS)
def test_a_stopped_broker_answers_503(client, db):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["services"]["broker"].startswith("unavailable")
    # The state names the failure, never the URL with its password.
    assert "127.0.0.1" not in json.dumps(body)


def test_a_stopped_database_answers_503():
    result = run_django(
        "from django.test import Client\n"
        "response = Client().get('/healthz')\n"
        "print(response.status_code, response.content.decode())",
        {"DEBUG": "true", "DATABASE_URL": "postgres://postgres@127.0.0.1:1/portal"},
    )
    assert result.returncode == 0, result.stderr
    status, body = result.stdout.strip().split(" ", 1)
    assert status == "503"
    assert json.loads(body)["services"]["database"].startswith("unavailable")


def test_the_real_broker_is_reported_when_configured(client, db, redis_broker):
    assert client.get("/healthz").json()["services"]["broker"] == "ok"
