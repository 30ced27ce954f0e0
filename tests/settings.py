"""Test settings: the real settings module with the few test-only differences."""

import os

os.environ.setdefault("ZOOMADMIN_ENV_FILE", "")  # a developer's .env (make run writes one) stays out
os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret")
os.environ.setdefault("ZOOM_MODE", "sandbox")
os.environ.setdefault("TASKS_BACKEND", "django.tasks.backends.immediate.ImmediateBackend")

from zoomadmin_site.settings import *  # noqa: F403

# pytest-django's live_server serves /static/ from the finders, which know no hashed names.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SECURE_SSL_REDIRECT = False

# Offboarding jobs move one item at a time in tests: the test database's transaction is not visible to
# other threads' connections (tests/meetings/test_offboarding_concurrency.py uses several on a file).
TRANSFER_JOB_WORKERS = 1
