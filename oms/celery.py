"""The Celery application: configuration comes from Django settings (`CELERY_*`).

Every task's base is `oms.background.Task`: in a web process without a broker, sending a task
hands it to the background runner (see `oms/background.py`, `OMS_TASK_RUNNER`)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oms.settings")

app = Celery("oms", task_cls="oms.background:Task")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
