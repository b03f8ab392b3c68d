"""Health of what the OMS depends on: the database, the Celery broker and the workers.

The overall status is `unavailable` when this process cannot do its work (the database or the
broker is unreachable), `degraded` when it can but no worker has run the heartbeat recently —
owed work (captures, labels, emails, webhooks) then waits — and `ok` otherwise.

"Recently" follows the beat schedule: beat queues `record_worker_heartbeat` every minute, so a
heartbeat older than three intervals (three minutes) means no worker, or no beat, has been
running: one late beat, or a worker restarting, does not raise the alarm. Without `REDIS_URL`
tasks run inside the web process; there are no workers to wait for, and the workers are `ok`
in the mode `in-process`.
"""

from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from oms.models import WorkerHeartbeat

CHECK_TIMEOUT_SECONDS = 2
HEARTBEAT_TASK = "worker-heartbeat"
MISSED_HEARTBEATS_TOLERATED = 3


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


def heartbeat_stale_after() -> timedelta:
    """How old the newest heartbeat may be before the workers count as gone."""
    interval = settings.CELERY_BEAT_SCHEDULE[HEARTBEAT_TASK]["schedule"]
    return timedelta(seconds=float(interval) * MISSED_HEARTBEATS_TOLERATED)


def check_workers() -> dict:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"ok": True, "mode": "in-process", "heartbeats": []}
    stale_after = heartbeat_stale_after()
    since = timezone.now() - stale_after
    heartbeats = list(WorkerHeartbeat.objects.order_by("-beat_at")[:50])
    return {
        "ok": bool(heartbeats) and heartbeats[0].beat_at >= since,
        "mode": "celery",
        "stale_after_seconds": int(stale_after.total_seconds()),
        "last_heartbeat_at": heartbeats[0].beat_at.isoformat() if heartbeats else None,
        "heartbeats": [
            {
                "hostname": beat.hostname,
                "beat_at": beat.beat_at.isoformat(),
                "recent": beat.beat_at >= since,
            }
            for beat in heartbeats
        ],
    }


def system_health() -> dict:
    database = check_database()
    broker = check_broker()
    report = {"status": "ok", "database": database, "broker": broker}
    if not (database["ok"] and broker["ok"]):
        report["status"] = "unavailable"
    if database["ok"]:
        report["workers"] = check_workers()
        if report["status"] == "ok" and not report["workers"]["ok"]:
            report["status"] = "degraded"
    return report
