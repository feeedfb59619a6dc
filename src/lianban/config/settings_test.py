"""Settings for the test suite: the real settings plus speed and isolation.

The database is still chosen by ``DATABASE_URL`` (SQLite when unset), so the
same suite runs on SQLite and PostgreSQL.
"""

import os
import tempfile

os.environ.setdefault("LIANBAN_DATA_DIR", tempfile.mkdtemp(prefix="lianban-test-"))
os.environ.setdefault("DJANGO_SECRET_KEY", "test-secret-key-not-for-production")
# Test keys for personal data (the tests read ciphertexts and rotate keys against them).
os.environ.setdefault("LIANBAN_DATA_KEYS", "t1:dGVzdC1kYXRhLWtleS0xIQ==")
os.environ.setdefault("LIANBAN_LOOKUP_KEY", "dGVzdC1sb29rdXAta2V5LW5vdC1mb3ItcHJvZHVjdGlvbg==")

from lianban.config.settings import *  # noqa: F403
from lianban.config.settings import DATA_DIR

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = DATA_DIR / "media"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Nothing in the suite is throttled or locked by accident; the tests of both switch them on.
AXES_ENABLED = False
LIANBAN_THROTTLE_RATES = {"user": None, "anon": None, "basic": None, "track": None, "window_rating": None}
# Tests run inside transactions that never commit (no notification would arrive): the tracking
# listener's own tests (tests/cases/test_track_local.py) switch it on with real commits.
LIANBAN_TRACK_LISTEN = False

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not SQLite's shared in-memory cache: the concurrency tests' threads must wait for
    # each other's IMMEDIATE transactions (busy timeout), which a shared cache answers with
    # "database table is locked" instead.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}  # noqa: F405
