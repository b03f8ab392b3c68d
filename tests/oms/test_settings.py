"""Settings come from the environment only. Each case imports the settings in a fresh process."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = "k3y-" + "".join(chr(ord("a") + i % 26) + str(i % 10) for i in range(40))

PRINT_SETTINGS = """
import json, django
from django.conf import settings
django.setup()
db = settings.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"], "name": str(db["NAME"]), "host": db.get("HOST"),
    "options": db.get("OPTIONS", {}),
    "eager": settings.CELERY_TASK_ALWAYS_EAGER, "broker": settings.CELERY_BROKER_URL,
    "task_runner": settings.OMS_TASK_RUNNER,
    "cache": settings.CACHES["default"]["BACKEND"], "debug": settings.DEBUG,
    "email": settings.EMAIL_BACKEND, "email_host": getattr(settings, "EMAIL_HOST", None),
    "media_root": str(settings.MEDIA_ROOT), "allowed_hosts": settings.ALLOWED_HOSTS,
    "acks_late": settings.CELERY_TASK_ACKS_LATE,
    "reject_on_worker_lost": settings.CELERY_TASK_REJECT_ON_WORKER_LOST,
    "visibility_timeout": settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"],
    "max_countdown": settings.CELERY_MAX_COUNTDOWN_SECONDS,
    "accept": settings.CELERY_ACCEPT_CONTENT, "beat": sorted(settings.CELERY_BEAT_SCHEDULE),
}, default=str))
"""


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    base = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    base["DJANGO_SETTINGS_MODULE"] = "oms.settings"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def settings_with(**env: str) -> dict:
    result = run_python(PRINT_SETTINGS, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_without_database_url_uses_sqlite_with_immediate_transactions():
    found = settings_with(DEBUG="true")
    assert found["engine"] == "django.db.backends.sqlite3"
    assert found["name"].endswith("db.sqlite3")
    assert found["options"]["transaction_mode"] == "IMMEDIATE"


def test_database_url_selects_postgresql_with_pool():
    found = settings_with(DEBUG="true", DATABASE_URL="postgres://oms:pw@db.internal:5433/oms")
    assert found["engine"] == "django.db.backends.postgresql"
    assert found["name"] == "oms"
    assert found["host"] == "db.internal"
    assert found["options"]["pool"]["max_size"] == 20


def test_without_redis_url_tasks_run_in_process_with_local_cache():
    found = settings_with(DEBUG="true")
    assert found["task_runner"] == "background"
    assert found["eager"] is True
    assert found["broker"] == "memory://localhost/"
    assert found["cache"] == "django.core.cache.backends.locmem.LocMemCache"


def test_redis_url_selects_broker_and_redis_cache():
    found = settings_with(DEBUG="true", REDIS_URL="redis://cache.internal:6379/2")
    assert found["task_runner"] == "celery"
    assert found["eager"] is False
    assert found["broker"] == "redis://cache.internal:6379/2"
    assert found["cache"] == "django.core.cache.backends.redis.RedisCache"


def test_task_runner_can_be_chosen_and_celery_needs_a_broker():
    assert settings_with(DEBUG="true", OMS_TASK_RUNNER="inline")["task_runner"] == "inline"
    found = settings_with(
        DEBUG="true", REDIS_URL="redis://cache.internal:6379/2", OMS_TASK_RUNNER="background"
    )
    assert (found["task_runner"], found["eager"]) == ("background", True)
    for value, message in [
        ("celery", "OMS_TASK_RUNNER=celery needs REDIS_URL"),
        ("threads", "OMS_TASK_RUNNER must be celery, background or inline"),
    ]:
        result = run_python(PRINT_SETTINGS, DEBUG="true", OMS_TASK_RUNNER=value)
        assert result.returncode != 0
        assert message in result.stderr


def test_celery_is_reliable_and_json_only():
    found = settings_with(DEBUG="true")
    assert found["acks_late"] is True
    assert found["reject_on_worker_lost"] is True
    assert found["visibility_timeout"] > found["max_countdown"]
    assert found["accept"] == ["json"]
    assert "worker-heartbeat" in found["beat"]


def test_email_url_and_media_root_come_from_environment(tmp_path):
    found = settings_with(
        DEBUG="true",
        EMAIL_URL="smtp+tls://mailer:s3cret@smtp.example.com:587",
        MEDIA_ROOT=str(tmp_path),
    )
    assert found["email"] == "django.core.mail.backends.smtp.EmailBackend"
    assert found["email_host"] == "smtp.example.com"
    assert found["media_root"] == str(tmp_path)


@pytest.mark.parametrize("secret", ["", "short", "django-insecure-" + "x" * 60, "a" * 80])
def test_production_refuses_to_start_with_missing_or_weak_secret(secret):
    result = run_python(PRINT_SETTINGS, DEBUG="false", SECRET_KEY=secret)
    assert result.returncode != 0
    assert "SECRET_KEY is missing or weak" in result.stderr


def test_production_starts_with_strong_secret_and_allowed_hosts():
    found = settings_with(DEBUG="false", SECRET_KEY=STRONG_KEY, ALLOWED_HOSTS="oms.example.com")
    assert found["debug"] is False
    assert found["allowed_hosts"] == ["oms.example.com"]


def test_check_deploy_is_clean_with_production_environment():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            "PATH": os.environ["PATH"],
            "DEBUG": "false",
            "SECRET_KEY": STRONG_KEY,
            "ALLOWED_HOSTS": "oms.example.com",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_trusted_proxy_count_comes_from_environment_and_defaults_to_none():
    code = "from django.conf import settings; print(settings.TRUSTED_PROXY_COUNT)"
    assert run_python(code, DEBUG="true").stdout.strip() == "0"
    assert run_python(code, DEBUG="true", TRUSTED_PROXY_COUNT="2").stdout.strip() == "2"
    refused = run_python(code, DEBUG="true", TRUSTED_PROXY_COUNT="-1")
    assert refused.returncode != 0
    assert "TRUSTED_PROXY_COUNT must be 0 or more" in refused.stderr
