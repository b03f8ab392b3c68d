"""A newcomer's console stays quiet: no broker warning without Redis, one line per refusal."""

import logging

import pytest
from django.urls import reverse

from tests.workers import run_embedded

# Queue a task the way the web process does without REDIS_URL (in-process), in a fresh process
# whose settings come from that environment alone.
RUN_A_TASK_IN_PROCESS = """
import django
django.setup()
from oms.celery import app

@app.task(name="quiet_logs.ping")
def ping():
    return "pong"

print(ping.delay().get())
"""


def test_in_process_tasks_log_no_broker_warning_without_redis_url(tmp_path):
    result = run_embedded(RUN_A_TASK_IN_PROCESS, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "pong"
    assert result.stderr == ""


@pytest.mark.django_db
def test_a_403_logs_one_line_without_a_traceback(client, no_role_user, caplog):
    client.force_login(no_role_user)
    with caplog.at_level(logging.WARNING):
        response = client.get(reverse("orders:queue"))
    assert response.status_code == 403
    [record] = [record for record in caplog.records if record.name.startswith("django")]
    assert record.levelno == logging.WARNING
    assert record.getMessage() == (
        "Forbidden (Permission denied): /orders/ (Your role does not give access to this page.)"
    )
    assert record.exc_info is None
    assert caplog.text.strip().count("\n") == 0


def test_request_errors_are_written_by_one_handler():
    """Django's default console handler beside the root's printed each error twice."""
    logger, handlers = logging.getLogger("django.request"), []
    while logger is not None:
        # pytest's own capturing handlers are not part of the configuration.
        handlers += [h for h in logger.handlers if not type(h).__module__.startswith("_pytest")]
        logger = logger.parent if logger.propagate else None
    assert [type(handler).__name__ for handler in handlers] == ["StreamHandler"]
