"""Health of what the OMS depends on: the database and the Celery broker."""

from django.conf import settings
from django.db import DatabaseError, connection

from oms.models import WorkerHeartbeat

CHECK_TIMEOUT_SECONDS = 2


def check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        return {"ok": False, "vendor": connection.vendor, "error": str(error).strip()[:200]}
    return {"ok": True, "vendor": connection.vendor}


def check_broker() -> dict:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"ok": True, "mode": "in-process"}
    import redis

    client = redis.Redis.from_url(
        settings.CELERY_BROKER_URL,
        socket_connect_timeout=CHECK_TIMEOUT_SECONDS,
        socket_timeout=CHECK_TIMEOUT_SECONDS,
    )
    try:
        client.ping()
    except redis.RedisError as error:
        return {"ok": False, "mode": "redis", "error": str(error)[:200]}
    finally:
        client.close()
    return {"ok": True, "mode": "redis"}


def worker_heartbeats() -> list[dict]:
    return [
        {"hostname": beat.hostname, "beat_at": beat.beat_at.isoformat()}
        for beat in WorkerHeartbeat.objects.all()[:50]
    ]


def system_health() -> dict:
    database = check_database()
    broker = check_broker()
    report = {
        "status": "ok" if database["ok"] and broker["ok"] else "unavailable",
        "database": database,
        "broker": broker,
    }
    if database["ok"]:
        report["workers"] = worker_heartbeats()
    return report
