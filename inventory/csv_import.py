"""Stock counts from a CSV file: read it, check every row, and say what is wrong with each.

Pure functions. The caller loads the catalog and the current levels for the SKUs and warehouses
the file names (`selectors_backoffice.count_import_stock`) and passes them in, so the same
checks run at preview and again, against fresh stock, at apply.

The file: a header row `sku,warehouse,counted[,note]` (any order, any case; comma, semicolon or
tab separated, as spreadsheets export), then one row per level counted.
"""

from collections.abc import Mapping
from dataclasses import dataclass, replace

from oms.csvfiles import FileRefused, PreviewSheet, read_table
from oms.numbers import whole_number

REQUIRED_COLUMNS = ("sku", "warehouse", "counted")
OPTIONAL_COLUMNS = ("note",)
MAX_ROWS = 5000
MAX_BYTES = 2 * 1024 * 1024
MAX_NOTE_LENGTH = 500
# The most units one movement may carry, here and in the back-office forms: far above any real
# count, far below the 32-bit columns, so a typo gets an error instead of a database failure.
MAX_QUANTITY = 1_000_000


@dataclass(frozen=True)
class CountRow:
    line: int  # line number in the file; the header is line 1
    sku: str
    warehouse: str
    counted_text: str
    note: str = ""
    counted: int | None = None
    # Filled in by `check_counts`: the level as it stands (None when SKU or warehouse is unknown).
    on_hand: int | None = None
    allocated: int | None = None
    errors: tuple[str, ...] = ()

    @property
    def is_clean(self) -> bool:
        return not self.errors

    @property
    def change(self) -> int | None:
        if self.counted is None or self.on_hand is None:
            return None
        return self.counted - self.on_hand


@dataclass(frozen=True)
class CountSheet(PreviewSheet[CountRow]):
    @property
    def skus(self) -> set[str]:
        return {row.sku for row in self.rows if row.sku}

    @property
    def warehouse_codes(self) -> set[str]:
        return {row.warehouse for row in self.rows if row.warehouse}

    def to_data(self) -> list[list]:
        """The raw cells, JSON-serialisable, to keep between preview and apply."""
        return [[row.line, row.sku, row.warehouse, row.counted_text, row.note] for row in self.rows]

    @classmethod
    def from_data(cls, data: list[list]) -> "CountSheet":
        """Rebuild a sheet from `to_data`, re-running every check on the cells."""
        rows = [
            CountRow(line=int(line), sku=sku, warehouse=code, counted_text=counted, note=note)
            for line, sku, code, counted, note in data
        ]
        return cls(rows=_check_cells(rows))


def _header_problem(columns: list[str]) -> str | None:
    missing = [column for column in REQUIRED_COLUMNS if column not in columns]
    unexpected = [c for c in columns if c not in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)]
    if missing or unexpected or len(set(columns)) != len(columns):
        return (
            "The first row must name the columns sku, warehouse, counted and optionally note "
            f"(found: {', '.join(columns) or 'nothing'})."
        )
    return None


def read_counts(content: bytes | str) -> CountSheet:
    """Parse a counts file; each row carries its format errors (number, duplicate, missing)."""
    try:
        table = read_table(
            content, max_bytes=MAX_BYTES, max_rows=MAX_ROWS, header_problem=_header_problem
        )
    except FileRefused as refusal:
        return CountSheet.refused(refusal.message)
    columns = table.columns
    position = {column: columns.index(column) for column in columns}
    rows, width_errors = [], {}
    for number, cells in table.records:
        if len(cells) > len(columns):
            width_errors[number] = f"Has {len(cells)} cells; the header names {len(columns)}."
        cells += [""] * (len(columns) - len(cells))
        rows.append(
            CountRow(
                line=number,
                sku=cells[position["sku"]],
                warehouse=cells[position["warehouse"]],
                counted_text=cells[position["counted"]],
                note=cells[position["note"]] if "note" in position else "",
            )
        )
    checked = _check_cells(rows)
    checked = [
        replace(row, errors=(width_errors[row.line], *row.errors))
        if row.line in width_errors
        else row
        for row in checked
    ]
    return CountSheet(rows=tuple(checked))


def _check_cells(rows: list[CountRow]) -> tuple[CountRow, ...]:
    """Checks that need only the file: missing cells, whole numbers, duplicate rows."""
    first_line: dict[tuple[str, str], int] = {}
    checked = []
    for row in rows:
        errors = []
        if not row.sku:
            errors.append("SKU is missing.")
        if not row.warehouse:
            errors.append("Warehouse is missing.")
        counted = whole_number(row.counted_text, maximum=MAX_QUANTITY)
        if counted is None:
            shown = f"“{row.counted_text}”" if row.counted_text else "nothing"
            errors.append(f"Counted must be a whole number of 0 or more (got {shown}).")
        elif counted > MAX_QUANTITY:
            errors.append(f"Counted must be at most {MAX_QUANTITY:,}.")
            counted = None
        if len(row.note) > MAX_NOTE_LENGTH:
            errors.append(f"Note is longer than {MAX_NOTE_LENGTH} characters.")
        key = (row.sku, row.warehouse)
        if row.sku and row.warehouse:
            if key in first_line:
                errors.append(f"Duplicate row: line {first_line[key]} counts this SKU here.")
            else:
                first_line[key] = row.line
        checked.append(replace(row, counted=counted, errors=tuple(errors)))
    return tuple(checked)


def check_counts(
    sheet: CountSheet,
    *,
    products: Mapping[str, object],
    warehouses: Mapping[str, object],
    levels: Mapping[tuple[str, str], tuple[int, int]],
) -> CountSheet:
    """Add the checks against the catalog and the current levels: unknown SKU or warehouse, and
    a count below what is allocated to orders (those units are promised; release them first)."""
    checked = []
    for row in sheet.rows:
        errors = list(row.errors)
        known_sku = row.sku in products
        known_warehouse = row.warehouse in warehouses
        if row.sku and not known_sku:
            errors.append(f"Unknown SKU “{row.sku}”.")
        if row.warehouse and not known_warehouse:
            errors.append(f"Unknown warehouse “{row.warehouse}”.")
        on_hand = allocated = None
        if known_sku and known_warehouse:
            on_hand, allocated = levels.get((row.sku, row.warehouse), (0, 0))
            if row.counted is not None and row.counted < allocated:
                errors.append(
                    f"Counted {row.counted} is below the {allocated} units allocated to orders."
                )
        checked.append(replace(row, on_hand=on_hand, allocated=allocated, errors=tuple(errors)))
    return replace(sheet, rows=tuple(checked))


def counts_by_note(
    sheet: CountSheet, *, products: Mapping[str, object], warehouses: Mapping[str, object]
) -> dict[str, list[tuple[object, object, int]]]:
    """(product, warehouse, counted) per note, for `stock_count_lines`. Only for a clean sheet."""
    if not sheet.is_clean:
        raise ValueError("Only a clean sheet can be applied.")
    grouped: dict[str, list[tuple[object, object, int]]] = {}
    for row in sheet.rows:
        grouped.setdefault(row.note, []).append(
            (products[row.sku], warehouses[row.warehouse], row.counted)
        )
    return grouped
