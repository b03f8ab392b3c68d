"""Keyset pages: one query each, forward and back, with links that keep the filters."""

import pytest
from django.test import RequestFactory
from django.utils import timezone

from oms.models import WorkerHeartbeat
from oms.paging import keyset_page, page_links

pytestmark = pytest.mark.django_db


@pytest.fixture
def workers():
    now = timezone.now()
    for name in "abcde":
        WorkerHeartbeat.objects.create(hostname=f"worker-{name}", beat_at=now)
    return WorkerHeartbeat.objects.all()


def names(page) -> list[str]:
    return [row.hostname for row in page.items]


def test_pages_walk_forward_and_back_by_key(workers, django_assert_num_queries):
    with django_assert_num_queries(1):
        first = keyset_page(workers, order=("hostname",), size=2)
    assert names(first) == ["worker-a", "worker-b"] and first.is_first
    second = keyset_page(workers, order=("hostname",), size=2, after=first.next_key)
    assert names(second) == ["worker-c", "worker-d"]
    last = keyset_page(workers, order=("hostname",), size=2, after=second.next_key)
    assert names(last) == ["worker-e"] and last.next_key is None
    back = keyset_page(workers, order=("hostname",), size=2, before=last.previous_key)
    assert names(back) == ["worker-c", "worker-d"]


def test_descending_order(workers):
    page = keyset_page(workers, order=("-hostname",), size=3)
    assert names(page) == ["worker-e", "worker-d", "worker-c"]


def test_links_keep_the_filters_and_drop_old_cursors(workers):
    page = keyset_page(workers, order=("hostname",), size=2, after=("worker-a",))
    request = RequestFactory().get("/list/", {"q": "worker", "after": "worker-a"})
    links = page_links(request, page, lambda key: key[0])
    assert links["next_url"] == "?q=worker&after=worker-c"
    assert links["previous_url"] == "?q=worker&before=worker-b"
    assert links["first_url"] == "?q=worker"
