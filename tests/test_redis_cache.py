"""The optional Redis cache really works against the Redis server of the machine.

Redis runs on 127.0.0.1:6379 where the suite runs (CI starts it); this test
fails, it does not skip, when Redis cannot be reached.
"""

import os
import uuid

from django.core.cache import caches
from django.test import override_settings

import pytest

REDIS_URL = os.environ.get("LIANBAN_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@override_settings(
    CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}},
)
def test_the_redis_cache_stores_and_expires_values():
    cache = caches["default"]
    key = f"lianban-test-{uuid.uuid4()}"
    cache.set(key, {"plan_days": 23}, timeout=30)
    assert cache.get(key) == {"plan_days": 23}
    cache.delete(key)
    assert cache.get(key) is None


@pytest.mark.django_db
@override_settings(
    CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}},
    SESSION_ENGINE="django.contrib.sessions.backends.cached_db",
)
def test_sessions_survive_through_the_redis_cache(client, django_user_model):
    django_user_model.objects.create_user("redis-user", password="pw-123456")
    assert client.login(username="redis-user", password="pw-123456")
    assert client.get("/").status_code == 200
    assert client.session.session_key
