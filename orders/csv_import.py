"""Orders from a marketplace's CSV export: read the file, check every row, group rows into orders.

Pure functions: the caller passes a lookup for the SKUs the catalog knows, so the same checks run
at preview and again, against the catalog as it is then, at import.

The file has a header row naming the columns (any order, any case; comma, semicolon or tab
separated) and one row per order line. The rows of one order share its `order_id`; order-level
cells (email, names, currency, address, totals, placed_at) may be repeated on each row or given
on one row only, but rows that repeat them must agree.
"""

from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from oms.csvfiles import FileRefused, PreviewSheet, read_table
from oms.money import parse_money
from oms.numbers import whole_number
from oms.validators import (
    REFERENCE_MESSAGE,
    is_currency_code,
    is_reference,
    normalize_country,
    normalize_currency,
)
from orders.errors import OrderInvalid
from orders.models import Order, OrderLine
from orders.services import AddressData, CaptureRequest, LineData
from orders.services.capture import MAX_QUANTITY
from orders.services.common import check_order_fits
from orders.services.rules import address_problems

COLUMNS = (
    *("order_id", "email", "first_name", "last_name", "phone"),
    *("sku", "quantity", "unit_price", "currency"),
    *("ship_name", "ship_company", "ship_line1", "ship_line2", "ship_city", "ship_region"),
    *("ship_postal_code", "ship_country", "shipping_total", "tax_total", "discount_total"),
    "placed_at",
)
REQUIRED_COLUMNS = ("order_id", "email", "sku", "quantity", "unit_price")
LINE_COLUMNS = ("order_id", "sku", "quantity", "unit_price")
ORDER_COLUMNS = tuple(column for column in COLUMNS if column not in LINE_COLUMNS)
MONEY_COLUMNS = ("unit_price", "shipping_total", "tax_total", "discount_total")
LABELS = {column: column.replace("_", " ").capitalize() for column in COLUMNS}
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
EMAIL_MAX_LENGTH = Order._meta.get_field("email").max_length
EXTERNAL_ID_MAX_LENGTH = Order._meta.get_field("external_id").max_length
SKU_MAX_LENGTH = OrderLine._meta.get_field("sku").max_length


@dataclass(frozen=True)
class ImportRow:
    line: int  # line number in the file; the header is line 1
    cells: dict[str, str]
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()  # the row imports, but the order will be held

    def cell(self, column: str) -> str:
        return self.cells.get(column, "")

    @property
    def is_clean(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class ImportOrder:
    order_id: str
    lines: tuple[int, ...]  # file line numbers of its rows
    request: CaptureRequest | None  # None while any of its rows has an error


@dataclass(frozen=True)
class ImportSheet(PreviewSheet[ImportRow]):
    orders: tuple[ImportOrder, ...] = ()

    @property
    def requests(self) -> list[CaptureRequest]:
        """One capture request per order. Only for a clean sheet."""
        if not self.is_clean:
            raise ValueError("Only a clean sheet can be imported.")
        return [order.request for order in self.orders]


def _moment(text: str) -> datetime | None:
    """ISO 8601 date or date-time; without an offset it is read as UTC."""
    try:
        parsed = parse_datetime(text)
        if parsed is None and parse_date(text) is not None:
            parsed = datetime.combine(parse_date(text), datetime.min.time())
    except ValueError:
        return None
    if parsed is None:
        return None
    return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=UTC)


def _cell_errors(row: ImportRow) -> list[str]:
    """What is wrong with the row's own cells."""
    errors = []
    for column, label, longest in (
        ("order_id", "Order id", EXTERNAL_ID_MAX_LENGTH),
        ("sku", "SKU", SKU_MAX_LENGTH),
    ):
        value = row.cell(column)
        if not value:
            errors.append(f"{label} is missing.")
        elif not is_reference(value) or len(value) > longest:
            errors.append(f"{label} “{value}”: at most {longest} characters. {REFERENCE_MESSAGE}")
    quantity = row.cell("quantity")
    number = whole_number(quantity, maximum=MAX_QUANTITY)
    if number is None or not 0 < number <= MAX_QUANTITY:
        shown = f"“{quantity}”" if quantity else "nothing"
        errors.append(f"Quantity must be a whole number from 1 to {MAX_QUANTITY:,} (got {shown}).")
    for column in MONEY_COLUMNS:
        value = row.cell(column)
        if (value or column == "unit_price") and parse_money(value) is None:
            shown = f"“{value}”" if value else "nothing"
            errors.append(f"{LABELS[column]} must be a number of 0 or more (got {shown}).")
    email = row.cell("email")
    if email and ("@" not in email or len(email) > EMAIL_MAX_LENGTH):
        errors.append(f"Email “{email}” is not an email address.")
    if row.cell("currency") and not is_currency_code(row.cell("currency")):
        errors.append(f"Currency must be an ISO 4217 code like USD (got “{row.cell('currency')}”).")
    if row.cell("placed_at") and _moment(row.cell("placed_at")) is None:
        errors.append(
            f"Placed at must be a date or date-time like 2025-03-01T14:05:00Z "
            f"(got “{row.cell('placed_at')}”)."
        )
    return errors


def _order_values(rows: list[ImportRow]) -> tuple[dict[str, str], dict[int, list[str]]]:
    """The order's cells (first non-blank wins) and, per row, where it disagrees with them."""
    values: dict[str, str] = {}
    source: dict[str, int] = {}
    disagreements: dict[int, list[str]] = {}
    for row in rows:
        for column in ORDER_COLUMNS:
            value = row.cell(column)
            if not value:
                continue
            if column not in values:
                values[column], source[column] = value, row.line
            elif value.casefold() != values[column].casefold():
                disagreements.setdefault(row.line, []).append(
                    f"{LABELS[column]} “{value}” differs from line {source[column]} of this "
                    f"order (“{values[column]}”)."
                )
    return values, disagreements


def _request(order_id: str, values: dict, rows: list[ImportRow], currency: str) -> CaptureRequest:
    name = f"{values.get('first_name', '')} {values.get('last_name', '')}".strip()
    return CaptureRequest(
        external_id=order_id,
        currency=normalize_currency(values.get("currency") or currency),
        email=values.get("email", ""),
        first_name=values.get("first_name", "")[:100],
        last_name=values.get("last_name", "")[:100],
        phone=values.get("phone", "")[:40],
        lines=[
            LineData(
                sku=row.cell("sku"),
                quantity=whole_number(row.cell("quantity"), maximum=MAX_QUANTITY),
                unit_price=Decimal(row.cell("unit_price")),
            )
            for row in rows
        ],
        shipping_address=AddressData(
            name=values.get("ship_name") or name,
            company=values.get("ship_company", ""),
            line1=values.get("ship_line1", ""),
            line2=values.get("ship_line2", ""),
            city=values.get("ship_city", ""),
            region=values.get("ship_region", ""),
            postal_code=values.get("ship_postal_code", ""),
            country=normalize_country(values.get("ship_country")),
            phone=values.get("phone", ""),
        ),
        shipping_total=Decimal(values.get("shipping_total") or 0),
        tax_total=Decimal(values.get("tax_total") or 0),
        discount_total=Decimal(values.get("discount_total") or 0),
        placed_at=_moment(values["placed_at"]) if values.get("placed_at") else None,
    )


def _order_checks(
    order_id: str, rows: list[ImportRow], known: Collection[str], currency: str
) -> tuple[list[ImportRow], ImportOrder]:
    """Rows of one order with the checks that need all of them; the order's capture request."""
    values, disagreements = _order_values(rows)
    first = rows[0].line
    extra_errors: dict[int, list[str]] = dict(disagreements)
    warnings: dict[int, list[str]] = {}
    if not values.get("email"):
        extra_errors.setdefault(first, []).append(
            f"No email for order {order_id}: give it on at least one of its rows."
        )
    for row in rows:
        if row.cell("sku") and row.cell("sku") not in known:
            warnings.setdefault(row.line, []).append(
                f"Unknown SKU “{row.cell('sku')}”: the order will be captured and held."
            )
    checked = [
        replace(
            row,
            errors=(*row.errors, *extra_errors.get(row.line, ())),
            warnings=tuple(warnings.get(row.line, ())),
        )
        for row in rows
    ]
    if any(row.errors for row in checked):
        return checked, ImportOrder(order_id, tuple(row.line for row in rows), None)
    request = _request(order_id, values, rows, currency)
    subtotal = sum((line.unit_price * line.quantity for line in request.lines), Decimal("0"))
    problem = None
    if request.discount_total > subtotal + request.shipping_total + request.tax_total:
        problem = "Discount total is larger than the order."
    try:
        check_order_fits(
            subtotal=subtotal,
            grand_total=subtotal + request.shipping_total + request.tax_total,
            units=sum(line.quantity for line in request.lines),
        )
    except OrderInvalid as refusal:
        problem = refusal.message
    if problem:
        checked[0] = replace(checked[0], errors=(*checked[0].errors, problem))
        return checked, ImportOrder(order_id, tuple(row.line for row in rows), None)
    problems = address_problems(request.shipping_address)
    if problems:
        checked[0] = replace(
            checked[0],
            warnings=(
                *checked[0].warnings,
                f"Shipping address: {'; '.join(problems)}: the order will be captured and held.",
            ),
        )
    return checked, ImportOrder(order_id, tuple(row.line for row in rows), request)


def _header_problem(columns: list[str]) -> str | None:
    missing = [column for column in REQUIRED_COLUMNS if column not in columns]
    unknown = [column for column in columns if column not in COLUMNS]
    if missing or unknown or len(set(columns)) != len(columns):
        found = ", ".join(columns) or "nothing"
        return (
            "The first row must name the columns, each once: at least "
            f"{', '.join(REQUIRED_COLUMNS)}; others from the list below (found: {found})."
        )
    return None


def read_orders(
    content: bytes | str,
    *,
    currency: str,
    known_skus: Callable[[set[str]], Collection[str]],
) -> ImportSheet:
    """Parse and check an orders file. `currency` is the channel's, for rows that give none;
    `known_skus(skus)` returns those of `skus` the catalog has."""
    try:
        table = read_table(
            content, max_bytes=MAX_BYTES, max_rows=MAX_ROWS, header_problem=_header_problem
        )
    except FileRefused as refusal:
        return ImportSheet.refused(refusal.message)
    columns = table.columns
    rows = []
    for number, cells in table.records:
        row = ImportRow(line=number, cells=dict(zip(columns, cells, strict=False)))
        errors = _cell_errors(row)
        if len(cells) > len(columns):
            errors.insert(0, f"Has {len(cells)} cells; the header names {len(columns)}.")
        rows.append(replace(row, errors=tuple(errors)))
    known = set(known_skus({row.cell("sku") for row in rows if row.cell("sku")}))
    grouped: dict[str, list[ImportRow]] = {}
    for row in rows:
        grouped.setdefault(row.cell("order_id"), []).append(row)
    checked: dict[int, ImportRow] = {row.line: row for row in grouped.pop("", [])}
    orders = []
    for order_id, order_rows in grouped.items():
        order_checked, order = _order_checks(order_id, order_rows, known, currency)
        checked.update((row.line, row) for row in order_checked)
        orders.append(order)
    return ImportSheet(rows=tuple(checked[row.line] for row in rows), orders=tuple(orders))
