"""The search finds an order by whatever a customer reads out (`orders.selectors_search`).

New columns, kept by the models on every write and filled here for the rows that exist:
the customer's and the address's phone in one normalised form (`oms.phones`), the customer's
"first last" in lower case, and the channel's own order name (Shopify's `#1042`, WooCommerce's
order number), taken from the webhook inbox for orders that came through it.

On PostgreSQL only (`oms.db_indexes.PostgresIndex`; SQLite has neither operator classes nor
pg_trgm, and its small shops search fine without): pg_trgm with GIN indexes on customer emails
and names for "contains", b-trees on the reversed phone digits for "ends with", and one on the
upper-case external id with `text_pattern_ops` for "starts with" in any case.
"""

import django.db.models.functions.text
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

from oms.db_indexes import PostgresIndex
from oms.phones import normalize_phone

BATCH = 5000


def _write(schema_editor, model, column: str, values: list[tuple[int, str]]) -> None:
    """Set `column` per id: one joined UPDATE per batch on PostgreSQL, `bulk_update` elsewhere."""
    if not values:
        return
    if schema_editor.connection.vendor != "postgresql":
        rows = [model(pk=pk, **{column: value}) for pk, value in values]
        model.objects.bulk_update(rows, [column], batch_size=500)
        return
    table = schema_editor.quote_name(model._meta.db_table)
    placeholders = ", ".join(["(%s, %s)"] * len(values))
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS row SET {column} = given.value "
            f"FROM (VALUES {placeholders}) AS given(id, value) WHERE row.id = given.id",
            [item for pair in values for item in pair],
        )


def _batches(queryset, fields: tuple[str, ...]):
    """Rows of `queryset` as tuples (id first), a batch at a time in id order."""
    last = 0
    while True:
        rows = list(queryset.filter(pk__gt=last).order_by("pk").values_list("pk", *fields)[:BATCH])
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def fill_search_columns(apps, schema_editor):
    Customer = apps.get_model("orders", "Customer")
    Address = apps.get_model("orders", "Address")
    Order = apps.get_model("orders", "Order")
    Receipt = apps.get_model("orders", "ChannelWebhookReceipt")
    for rows in _batches(Customer.objects.all(), ("phone", "first_name", "last_name")):
        _write(
            schema_editor,
            Customer,
            "phone_normalized",
            [(pk, normalize_phone(phone)) for pk, phone, _, _ in rows if phone],
        )
        _write(
            schema_editor,
            Customer,
            "name_normalized",
            [(pk, " ".join(f"{first} {last}".lower().split())) for pk, _, first, last in rows],
        )
    for rows in _batches(Address.objects.exclude(phone=""), ("phone", "country")):
        _write(
            schema_editor,
            Address,
            "phone_normalized",
            [(pk, normalize_phone(phone, country)) for pk, phone, country in rows],
        )
    # The name each marketplace gives its order: Shopify's `name`, WooCommerce's `number`.
    name_keys = {"shopify": "name", "woocommerce": "number"}
    received = Receipt.objects.filter(order__isnull=False, order__channel_order_name="")
    for rows in _batches(received, ("order_id", "source", "payload")):
        names = {}
        for _, order_id, source, payload in rows:
            name = payload.get(name_keys.get(source, "")) if isinstance(payload, dict) else None
            if type(name) in (str, int) and str(name).strip():
                names[order_id] = str(name).strip()[:100]
        _write(schema_editor, Order, "channel_order_name", sorted(names.items()))


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0008_order_confirmation_lease_draft_token"),
    ]

    operations = [
        TrigramExtension(),
        migrations.RemoveIndex(
            model_name="orderline",
            name="order_line_sku",
        ),
        migrations.AddField(
            model_name="address",
            name="phone_normalized",
            field=models.CharField(blank=True, default="", editable=False, max_length=50),
        ),
        migrations.AddField(
            model_name="customer",
            name="name_normalized",
            field=models.CharField(blank=True, default="", editable=False, max_length=201),
        ),
        migrations.AddField(
            model_name="customer",
            name="phone_normalized",
            field=models.CharField(blank=True, default="", editable=False, max_length=50),
        ),
        migrations.AddField(
            model_name="order",
            name="channel_order_name",
            field=models.CharField(blank=True, default="", max_length=100),
        ),
        migrations.RunPython(fill_search_columns, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                django.db.models.functions.text.Upper("channel_order_name"),
                name="order_channel_name_upper",
            ),
        ),
        migrations.AddIndex(
            model_name="orderline",
            index=models.Index(
                django.db.models.functions.text.Upper("sku"), "order", name="order_line_sku_upper"
            ),
        ),
        # The external id in any case, whole or by its start (`istartswith` is a range here).
        PostgresIndex(
            "order_external_id_prefix", "orders_order", "UPPER(external_id) text_pattern_ops"
        ),
        # A phone number by its end (last digits, or a national number of an E.164 one).
        PostgresIndex(
            "customer_phone_suffix", "orders_customer", "REVERSE(phone_normalized) text_pattern_ops"
        ),
        PostgresIndex(
            "address_phone_suffix", "orders_address", "REVERSE(phone_normalized) text_pattern_ops"
        ),
        # Any part of an email or of "first last" (pg_trgm: three characters and more).
        PostgresIndex("customer_email_trgm", "orders_customer", "email gin_trgm_ops", using="gin"),
        PostgresIndex(
            "customer_name_trgm", "orders_customer", "name_normalized gin_trgm_ops", using="gin"
        ),
    ]
