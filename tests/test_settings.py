"""Settings fail loudly on bad or missing configuration, and pass Django's deployment checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("ZOOM", "SECRET_KEY", "DEBUG", "DATABASE"))
    }
    clean["ZOOMADMIN_ENV_FILE"] = ""  # the checkout's own .env (make run writes one) stays out
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60
    )


def test_missing_secret_key_with_debug_off_is_a_clear_configuration_error():
    result = _run("import zoomadmin_site.settings", DEBUG="false")
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set" in result.stderr


def test_debug_is_off_unless_set():
    result = _run("import zoomadmin_site.settings as s; print(s.DEBUG)", SECRET_KEY="x" * 50)
    assert result.stdout.strip() == "False"


def test_live_mode_without_credentials_names_the_missing_variables():
    result = _run(
        "import zoomadmin_site.settings", SECRET_KEY="x" * 50, ZOOM_MODE="live", ZOOM_CLIENT_ID="abc"
    )
    assert result.returncode != 0
    assert "ZOOM_ACCOUNT_ID, ZOOM_CLIENT_SECRET" in result.stderr
    assert "ZOOM_CLIENT_ID," not in result.stderr


def test_unknown_zoom_mode_is_refused():
    result = _run("import zoomadmin_site.settings", SECRET_KEY="x" * 50, ZOOM_MODE="production")
    assert "ZOOM_MODE must be 'sandbox' or 'live'" in result.stderr


def test_a_cache_of_each_process_s_own_is_refused_with_debug_off():
    # Logging out deletes the session from the shared cache; a locmem copy in another worker would live on.
    result = _run("import zoomadmin_site.settings", SECRET_KEY="x" * 50, CACHE_URL="locmemcache://")
    assert result.returncode != 0
    assert "ImproperlyConfigured: CACHE_URL names a cache of each process's own (locmem)" in result.stderr
    debug = _run(
        "import zoomadmin_site.settings as s; print(s.SESSION_ENGINE)",
        DEBUG="true",
        CACHE_URL="locmemcache://",
    )
    assert debug.stdout.strip() == "django.contrib.sessions.backends.cached_db"


def test_the_shared_cache_keeps_live_entries_beyond_django_s_default_of_300():
    # Past MAX_ENTRIES the database cache culls live entries: send slots, throttle counts, shown plans.
    code = "import zoomadmin_site.settings as s; print(s.CACHES['default']['OPTIONS']['MAX_ENTRIES'])"
    assert int(_run(code, SECRET_KEY="x" * 50).stdout) >= 10_000
    custom = _run(code, SECRET_KEY="x" * 50, CACHE_URL="dbcache://zoomadmin_cache?max_entries=777")
    assert custom.stdout.strip() == "777"


def test_sqlite_default_uses_wal_and_immediate_transactions():
    result = _run(
        "import zoomadmin_site.settings as s; d = s.DATABASES['default']; o = d['OPTIONS']; "
        "print(d['ENGINE'], o['transaction_mode'], 'journal_mode=WAL' in o['init_command'])",
        SECRET_KEY="x" * 50,
    )
    assert result.stdout.split() == ["django.db.backends.sqlite3", "IMMEDIATE", "True"]


def test_check_deploy_passes_with_production_like_variables(tmp_path):
    env = {
        "SECRET_KEY": "k8$Jx2!pQz7@vLm3#Nr5^Tw9&Yb4*Hc6(Fd1)Gs0-Ke8+Uj2=Ai7",
        "ALLOWED_HOSTS": "zoomadmin.example.com",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "PATH": os.environ.get("PATH", ""),
        "ZOOMADMIN_ENV_FILE": "",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_with_debug_off_cookies_are_secure_and_https_is_enforced():
    names = (
        "SESSION_COOKIE_SECURE CSRF_COOKIE_SECURE SESSION_COOKIE_HTTPONLY SECURE_SSL_REDIRECT "
        "SECURE_HSTS_SECONDS SECURE_HSTS_INCLUDE_SUBDOMAINS SECURE_HSTS_PRELOAD X_FRAME_OPTIONS"
    )
    code = f"from django.conf import settings as s; print(*(getattr(s, n) for n in {names.split()!r}))"
    result = _run(code, SECRET_KEY="x" * 50, DJANGO_SETTINGS_MODULE="zoomadmin_site.settings")
    assert result.stdout.split() == ["True", "True", "True", "True", "31536000", "True", "True", "DENY"]
    debug = _run(code, DEBUG="true", DJANGO_SETTINGS_MODULE="zoomadmin_site.settings")
    assert debug.stdout.split()[:4] == ["False", "False", "True", "False"]  # plain http on a laptop


def test_a_login_throttle_limit_below_one_is_refused():
    result = _run("import zoomadmin_site.settings", SECRET_KEY="x" * 50, LOGIN_FAILURE_LIMIT_PER_USERNAME="0")
    assert result.returncode != 0
    assert "LOGIN_FAILURE_LIMIT_PER_USERNAME must be a whole number of 1 or more, not 0." in result.stderr
