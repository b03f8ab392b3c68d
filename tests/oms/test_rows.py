"""`oms.rows`: rows inserted and read without compiling the statement each time store and read
what the ORM would (on both backends: the suite runs on SQLite and PostgreSQL)."""

import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from inventory.models import Product, StockLevel, Warehouse
from oms.models import ApiClient
from oms.rows import (
    Pending,
    columns,
    insert_row_unless_taken,
    insert_rows,
    pipelined,
    rows_per_insert,
    select_models,
    select_related_models,
    send_models,
)
from oms.services import api_client_create
from orders.models import Address, Customer, Order, OrderEvent, SalesChannel
from orders.services import channel_api_key_create, customer_for
from tests.inventory.factories import ProductFactory, WarehouseFactory, give_stock
from tests.oms.factories import UserFactory
from tests.orders.factories import SalesChannelFactory, capture

pytestmark = pytest.mark.django_db


@pytest.fixture
def order():
    give_stock(ProductFactory(sku="MUG"), WarehouseFactory(code="EAST"), 5)
    return capture(SalesChannelFactory(code="web"), [("MUG", 1)])


def test_inserted_rows_get_their_ids_and_are_stored_as_the_orm_stores_them(order):
    entries = insert_rows(
        OrderEvent(order=order, type="note", message=f"Note {n}", data={"n": n, "tags": ["a"]})
        for n in range(3)
    )

    assert [entry.pk for entry in entries] == sorted(entry.pk for entry in entries)
    assert all(entry._state.adding is False for entry in entries)
    stored = OrderEvent.objects.filter(pk__in=[entry.pk for entry in entries]).order_by("pk")
    assert [(e.message, e.data, e.actor_label) for e in stored] == [
        (f"Note {n}", {"n": n, "tags": ["a"]}, "system") for n in range(3)
    ]
    # auto_now_add filled in on the instances, as save() and bulk_create do
    assert [e.created_at for e in stored] == [entry.created_at for entry in entries]


def test_a_related_row_saved_after_assignment_gives_its_id():
    address = Address(name="Ada", country="US", phone="+1 212 555 0100")
    address.set_derived()
    insert_rows([address])
    assert address.pk is not None
    stored = Address.objects.get(pk=address.pk)
    assert (stored.name, stored.phone_normalized) == ("Ada", address.phone_normalized)
    assert stored.phone_normalized.startswith("+1212")


def test_rows_with_their_ids_set_are_inserted_with_them(order):
    next_id = OrderEvent.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1000
    insert_rows([OrderEvent(pk=next_id, order=order, type="note", message="Chosen id")])
    assert OrderEvent.objects.get(pk=next_id).message == "Chosen id"


def test_more_rows_than_one_statement_takes_are_split(order, django_assert_num_queries):
    count = 10_000  # more than one statement takes on either backend
    batch = rows_per_insert(connection, OrderEvent._meta.concrete_fields[1:], count)
    assert batch < count
    with django_assert_num_queries(-(-count // batch)):
        entries = insert_rows(
            OrderEvent(order=order, type="note", message=str(n)) for n in range(count)
        )
    assert len({entry.pk for entry in entries}) == count
    assert OrderEvent.objects.filter(order=order, type="note").count() == count


def test_rows_of_mixed_kinds_are_refused(order):
    with pytest.raises(ValueError, match="one model"):
        insert_rows([OrderEvent(order=order, type="note"), OrderEvent(pk=10**9, order=order)])
    assert insert_rows([]) == []


def test_models_read_by_sql_equal_what_a_queryset_reads(order):
    level = StockLevel.objects.get(product__sku="MUG")
    sql = (
        f"SELECT {columns(StockLevel, 'l')}, {columns(Product, 'p')}, {columns(Warehouse, 'w')}"
        " FROM inventory_stocklevel l JOIN inventory_product p ON p.id = l.product_id"
        " JOIN inventory_warehouse w ON w.id = l.warehouse_id WHERE p.sku = %s"
    )
    [(read_level, product, warehouse)] = select_models(sql, ["MUG"], StockLevel, Product, Warehouse)

    for read, expected in ((read_level, level), (product, level.product)):
        for field in type(expected)._meta.concrete_fields:
            assert getattr(read, field.attname) == getattr(expected, field.attname), field.name
    assert product.price == Decimal("19.90") and isinstance(product.price, Decimal)
    assert warehouse.code == "EAST" and warehouse.is_active is True
    assert read_level._state.adding is False


def test_json_and_dates_come_back_converted(order):
    table = OrderEvent._meta.db_table
    events = select_models(
        f"SELECT {columns(OrderEvent, table)} FROM {table} WHERE order_id = %s ORDER BY id",
        [order.pk],
        OrderEvent,
    )
    expected = list(OrderEvent.objects.filter(order=order).order_by("id"))
    assert [(e.data, e.created_at) for (e,) in events] == [(e.data, e.created_at) for e in expected]
    assert isinstance(events[0][0].data, dict)
    assert Order.objects.get(pk=order.pk).events.count() == len(events)


def _related_as_orm_reads(client_id: int):
    return ApiClient.objects.select_related("user", "channel_link__channel").get(pk=client_id)


def test_related_rows_are_cached_as_select_related_caches_them(django_assert_num_queries):
    channel = SalesChannelFactory(code="shop")
    channel_client, _ = channel_api_key_create(channel=channel)
    staff_client, _ = api_client_create(name="staff", user=UserFactory(role="Support"))
    related = ("user", "channel_link__channel")

    with django_assert_num_queries(1):
        found = select_related_models(
            ApiClient, related, "t0.id IN (%s, %s)", [channel_client.pk, staff_client.pk]
        )
        by_id = {client.pk: client for client in found}
        read_channel_client, read_staff_client = by_id[channel_client.pk], by_id[staff_client.pk]
        assert read_channel_client.user is None
        assert read_channel_client.channel_link.channel.code == "shop"
        assert read_staff_client.user.username == staff_client.user.username
        assert getattr(read_staff_client, "channel_link", None) is None

    expected = _related_as_orm_reads(channel_client.pk)
    channel_read = read_channel_client.channel_link.channel
    for field in SalesChannel._meta.concrete_fields:
        assert getattr(channel_read, field.attname) == getattr(
            expected.channel_link.channel, field.attname
        ), field.name


def test_a_path_it_cannot_follow_is_refused():
    with pytest.raises(ValueError, match="cannot follow"):
        select_related_models(SalesChannel, ("api_keys",), "t0.id = %s", [1])


def test_a_row_is_inserted_unless_its_unique_columns_are_taken():
    first = Customer(email="ada@example.com", first_name="Ada", phone="+1 212 555 0100")
    first.set_derived()
    assert insert_row_unless_taken(first, unique=("email",)) is True
    assert Customer.objects.get(pk=first.pk).name_normalized == first.name_normalized

    second = Customer(email="ada@example.com", first_name="Someone else")
    assert insert_row_unless_taken(second, unique=("email",)) is False
    assert second.pk is None
    assert Customer.objects.get(email="ada@example.com").first_name == "Ada"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_customers_created_by_racing_captures_are_one_customer():
    """Twelve threads find no customer for one email and create them at once: one row, and
    every thread gets it (the statement waits for the other inserts instead of failing)."""
    barrier = threading.Barrier(12)
    found, errors = [], []

    def create() -> None:
        try:
            barrier.wait()
            with transaction.atomic():
                found.append(customer_for(email="Race@Example.com", first_name="Ra").pk)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=create) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Customer.objects.filter(email="race@example.com").count() == 1
    assert set(found) == {Customer.objects.get(email="race@example.com").pk}


def test_queries_sent_together_each_get_their_own_answer(order):
    with pipelined():
        events = send_models(
            f"SELECT {columns(OrderEvent, 'e')} FROM orders_orderevent e WHERE e.order_id = %s",
            [order.pk],
            OrderEvent,
        )
        channels = Pending("SELECT code FROM orders_saleschannel ORDER BY code", [])
        counted = Pending("SELECT count(*) FROM orders_order", []).then(lambda rows: rows[0][0])
    assert {entry.type for (entry,) in events.result()} >= {"captured"}
    assert channels.result() == [("web",)]
    assert counted.result() == 1


@pytest.mark.postgres
def test_an_error_sent_together_with_other_statements_keeps_its_class(order):
    taken = OrderEvent.objects.filter(order=order).values_list("pk", flat=True)[0]
    with pytest.raises(IntegrityError), transaction.atomic(), pipelined():
        insert_rows([OrderEvent(order=order, type="note", message="fine")], returning=False)
        insert_rows([OrderEvent(pk=taken, order=order, type="note", message="taken")])
        Pending("SELECT 1", []).result()
    assert not OrderEvent.objects.filter(message__in=["fine", "taken"]).exists()
