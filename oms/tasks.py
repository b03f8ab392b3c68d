from celery import shared_task
from django.core.management import call_command

from oms.services import worker_heartbeat_record


@shared_task(bind=True)
def record_worker_heartbeat(self) -> None:
    hostname = "in-process" if self.request.is_eager else self.request.hostname
    worker_heartbeat_record(hostname=hostname)


@shared_task
def clear_expired_sessions() -> None:
    call_command("clearsessions")
