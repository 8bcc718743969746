"""With Redis down, every page and form still answers: the cache fails open
(portal/cache.py), and the trouble shows in the log, once per outage."""

import logging

import pytest
from django.core import mail
from django.core.cache import cache
from redis.exceptions import ConnectionError as RedisConnectionError

from portal import cache as fail_open
from portal.config import redis_cache
from tests.factories import UserFactory
from tests.permits.support import permit_submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def rosa(demo_city):
    return UserFactory(username="rosa", email="rosa@example.org", email_verified=True)


def test_signing_in_works_with_the_cache_down(client, cache_down, rosa):
    response = client.post(
        "/accounts/login/",
        {"as": "public", "login": "rosa", "password": "correct-horse-battery"},
    )
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    assert client.get("/dashboard/").status_code == 200


def test_a_wrong_password_is_still_refused_with_the_cache_down(client, cache_down, rosa):
    response = client.post(
        "/accounts/login/", {"as": "public", "login": "rosa", "password": "not-my-password"}
    )
    assert response.status_code == 200
    assert "not correct" in response.content.decode()


def test_a_password_reset_is_sent_with_the_cache_down(
    client, cache_down, rosa, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": "rosa@example.org"})
    assert response["Location"] == "/accounts/password/reset/done/"
    assert [message.to for message in mail.outbox] == [["rosa@example.org"]]


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/help/",
        "/permits/search/?q=hawthorne",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        "/licenses/verify/?number=BL2026-00001",
    ],
)
def test_public_pages_answer_with_the_cache_down(client, cache_down, demo_city, path):
    assert client.get(path).status_code == 200


def test_a_permit_and_its_pages_answer_with_the_cache_down(client, cache_down, rosa):
    permit = permit_submitted(rosa, "WHTR")
    assert client.get(f"/permits/{permit.number}/").status_code == 200
    client.force_login(rosa)
    for path in ("/dashboard/", f"/permits/applications/{permit.pk}/", "/permits/apply/"):
        assert client.get(path).status_code == 200, path


def test_the_cache_answers_as_a_miss_while_redis_is_down(cache_down):
    assert cache.get("anything", "default") == "default"
    assert cache.add("anything", 1) is True  # a lock taken, so nobody waits on it
    assert cache.set("anything", 1) is None
    assert cache.get_many(["anything"]) == {}
    assert cache.has_key("anything") is False
    assert cache.delete("anything") is False
    assert cache.touch("anything") is False
    with pytest.raises(ValueError):
        cache.incr("counter")


def test_an_outage_is_logged_once_and_redis_is_left_alone_while_it_lasts(
    cache_down, caplog, monkeypatch
):
    attempts = []

    def redis_refuses(*args, **kwargs):
        attempts.append(1)
        raise RedisConnectionError("Connection refused.")

    monkeypatch.setattr(fail_open.RedisCache, "get", redis_refuses)
    with caplog.at_level(logging.WARNING, logger="portal.cache"):
        for _ in range(20):
            assert cache.get("city") is None
    assert attempts == [1]
    warnings = [record.getMessage() for record in caplog.records]
    assert len(warnings) == 1 and warnings[0].startswith("The cache cannot be reached")


def test_the_cache_is_used_again_once_redis_is_back(settings, redis_server, caplog, monkeypatch):
    monkeypatch.setattr(fail_open, "RETRY_AFTER_SECONDS", 0)
    fail_open.outage.forget()
    settings.CACHES = {"default": redis_cache(redis_server.url(1))}
    cache.set("city", "Rancho Palos Verdes")
    redis_server.stop()

    with caplog.at_level(logging.WARNING, logger="portal.cache"):
        assert cache.get("city", "down") == "down"
        redis_server.start()
        cache.set("city", "Rancho Palos Verdes")
        assert cache.get("city") == "Rancho Palos Verdes"

    assert [record.getMessage()[:30] for record in caplog.records] == [
        "The cache cannot be reached (C",
        "The cache can be reached again",
    ]
