"""Shared fixtures.

Tests run against whatever `DATABASE_URL` / `REDIS_URL` say: SQLite and in-process tasks on a
bare machine, PostgreSQL and Redis in CI. Tests that prove something only a real server can
(row locks, a worker consuming from Redis) carry the `postgres` or `redis` marker and are
skipped without one. Tasks run in-process unless a test starts a real worker (`celery_worker`).
"""

import os
import shutil
import uuid

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings

from oms.celery import app as celery_app
from orders.services import notifications
from tests.mail_server import mail_server  # noqa: F401  (shared fixture)
from tests.oms.factories import UserFactory
from tests.oms.webhook_receiver import webhook_receiver  # noqa: F401  (shared fixture)
from tests.workers import own_queue  # noqa: F401  (shared fixture)

CHROMIUM = "/usr/bin/chromium"


def pytest_configure(config):
    """Tasks run in the test's own thread (`inline`), even once a test module imports `oms.wsgi`,
    whose `serve()` would otherwise start the background runner without REDIS_URL. A test of the
    runner starts one itself (tests/oms/test_background_runner.py)."""
    settings.OMS_TASK_RUNNER = "inline"


def pytest_collection_modifyitems(config, items):
    require_browser = os.environ.get("OMS_REQUIRE_BROWSER") == "1"
    for item in items:
        if "redis" in item.keywords and not settings.REDIS_URL:
            item.add_marker(pytest.mark.skip(reason="needs REDIS_URL"))
        if "browser" in item.keywords and not shutil.which(CHROMIUM) and not require_browser:
            item.add_marker(pytest.mark.skip(reason=f"needs {CHROMIUM}"))


@pytest.fixture(autouse=True)
def _skip_without_postgres(request):
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL)")


@pytest.fixture(scope="session", autouse=True)
def _private_cache_namespace():
    """A fresh cache key prefix per test run: the Redis cache outlives runs and is shared by
    the parallel test processes, and counters (sign-in failures) must not leak between them."""
    caches = {name: dict(config) for name, config in settings.CACHES.items()}
    caches["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    with override_settings(CACHES=caches):
        yield


@pytest.fixture(autouse=True)
def _media_in_a_temporary_folder(settings, tmp_path_factory):
    """Labels and uploads go to a folder of the test run's own, never the repository's."""
    settings.MEDIA_ROOT = tmp_path_factory.getbasetemp() / "media"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Hashing a password properly takes a third of a second; tests make hundreds of users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _tasks_in_process():
    """Run tasks in-process, the embedded mode; `celery_worker` switches to a real worker."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _no_confirmation_batch_pending():
    """A process asks for a batch of confirmation emails at most every half second; a batch an
    earlier test asked for (on another queue, or eagerly) must not stop this test's asking."""
    notifications._batch_due = 0.0


@pytest.fixture
def user_with_role(db):
    def make(role: str | None, **kwargs):
        return UserFactory(role=role, **kwargs)

    return make


@pytest.fixture
def fulfillment_user(user_with_role):
    return user_with_role("Fulfillment", username="fran")


@pytest.fixture
def support_user(user_with_role):
    return user_with_role("Support", username="sam")


@pytest.fixture
def manager_user(user_with_role):
    return user_with_role("Manager", username="morgan")


@pytest.fixture
def admin_user(user_with_role):
    return user_with_role("Admin", username="alex")


@pytest.fixture
def no_role_user(user_with_role):
    return user_with_role(None, username="nobody")
