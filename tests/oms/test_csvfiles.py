"""`oms.csvfiles`: reading uploads, refusing unusable files, previews, and safe downloads."""

import csv
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from oms.csvfiles import (
    FileRefused,
    PreviewSheet,
    decode,
    file_hash,
    read_records,
    read_table,
    sniff_delimiter,
    spreadsheet_safe,
    stream_csv,
)


def no_header_problem(columns: list[str]) -> str | None:
    return None


def table(content, **limits):
    return read_table(
        content,
        max_bytes=limits.get("max_bytes", 1024 * 1024),
        max_rows=limits.get("max_rows", 10),
        header_problem=limits.get("header_problem", no_header_problem),
    )


def refusal(content, **limits) -> str:
    with pytest.raises(FileRefused) as refused:
        table(content, **limits)
    return refused.value.message


# --- reading -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "text"),
    [
        ("a,b\n", "a,b\n"),
        ("\ufeffa,b\n", "a,b\n"),
        (b"a,b\n", "a,b\n"),
        ("\ufeffé,b\n".encode(), "é,b\n"),
    ],
)
def test_decode_reads_utf8_with_or_without_a_byte_order_mark(content, text):
    assert decode(content) == text


def test_decode_refuses_other_encodings():
    assert decode("é,b\n".encode("latin-1")) is None


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("sku,warehouse,counted\n1;2;3\n", ","),
        ("sku;warehouse;counted\n", ";"),
        ("sku\twarehouse\tcounted\n", "\t"),
        ("sku;note,with,commas;x;y\n", ";"),
        ("sku\n", ","),
    ],
)
def test_the_delimiter_is_the_one_the_header_row_uses_most(text, delimiter):
    assert sniff_delimiter(text) == delimiter


def test_records_skip_blank_lines_keep_their_numbers_and_strip_cells():
    text = "sku ; counted\r\n\r\n ; \r\n TEE ;\t5 \r\n"
    assert read_records(text) == [(1, ["sku", "counted"]), (4, ["TEE", "5"])]


# A cell longer than the csv module's limit: the one error it raises on real-world text.
OVERSIZED_CELL = "sku\n" + "x" * (csv.field_size_limit() + 1) + "\n"


def test_unreadable_csv_raises_csv_error():
    with pytest.raises(csv.Error):
        read_records(OVERSIZED_CELL)


def test_file_hash_names_the_text():
    assert file_hash("a,b\n") == file_hash("a,b\n")
    assert file_hash("a,b\n") != file_hash("a,c\n")
    assert len(file_hash("")) == 64


# --- refusing a file as a whole ------------------------------------------------------------


def test_a_usable_file_gives_lower_case_columns_and_the_rows_after_the_header():
    result = table("SKU;Counted\nTEE;5\n\nMUG;0\n")
    assert result.columns == ["sku", "counted"]
    assert result.records == [(2, ["TEE", "5"]), (4, ["MUG", "0"])]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "The file is empty."),
        ("\n \n,,\n", "The file is empty."),
        ("sku,counted\n", "The file has a header but no rows to import."),
        (
            "sku\nT\xe9E\n".encode("latin-1"),
            "The file is not UTF-8 text. Save it from your spreadsheet as CSV UTF-8.",
        ),
    ],
)
def test_an_unusable_file_is_refused_with_the_reason(content, message):
    assert refusal(content) == message


def test_a_file_over_the_size_limit_is_refused():
    content = b"x" * (2 * 1024 * 1024 + 1)
    assert refusal(content, max_bytes=2 * 1024 * 1024) == "The file is larger than 2 MB."


def test_a_file_over_the_row_limit_is_refused():
    text = "sku\n" + "TEE\n" * 4
    assert table(text, max_rows=4).records[-1] == (5, ["TEE"])
    assert refusal(text, max_rows=3) == "The file has more than 3 rows; split it into parts."


def test_a_bad_header_is_refused_before_the_rows_are_counted():
    def header_problem(columns):
        return None if "sku" in columns else f"No sku column (found: {', '.join(columns)})."

    text = "colour\n" + "red\n" * 20
    assert refusal(text, max_rows=3, header_problem=header_problem) == (
        "No sku column (found: colour)."
    )


def test_a_broken_csv_is_refused_with_the_reason():
    limit = csv.field_size_limit()
    assert refusal(OVERSIZED_CELL) == (
        f"The file could not be read as CSV: field larger than field limit ({limit})."
    )


# --- previews ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    line: int
    errors: tuple[str, ...] = ()

    @property
    def is_clean(self) -> bool:
        return not self.errors


def test_a_sheet_is_clean_when_it_has_rows_and_none_has_an_error():
    assert PreviewSheet(rows=(Row(2), Row(3))).is_clean
    assert not PreviewSheet().is_clean
    dirty = PreviewSheet(rows=(Row(2), Row(3, ("Bad.",)), Row(4, ("Worse.",))))
    assert not dirty.is_clean
    assert [row.line for row in dirty.bad_rows] == [3, 4]


def test_a_refused_file_is_a_sheet_with_one_problem_and_no_rows():
    sheet = PreviewSheet.refused("The file is empty.")
    assert (sheet.rows, sheet.problems, sheet.is_clean) == ((), ("The file is empty.",), False)


# --- downloads -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=SUM(A1:A9)", "'=SUM(A1:A9)"),
        ("+1 555 0100", "'+1 555 0100"),
        ("-2", "'-2"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Grace Hopper", "Grace Hopper"),
        ("", ""),
        (None, ""),
        (-3, -3),
        (Decimal("-1.50"), Decimal("-1.50")),
        (date(2025, 3, 1), date(2025, 3, 1)),
    ],
)
def test_spreadsheet_safe_defuses_formulas_and_leaves_numbers_alone(value, cell):
    assert spreadsheet_safe(value) == cell


def test_stream_csv_is_a_download_with_safe_cells():
    response = stream_csv(
        "ledger.csv", ["sku", "delta", "note"], [["TEE", -3, "=1+1"], ["MUG", 2, None]]
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="ledger.csv"'
    body = b"".join(response.streaming_content).decode()
    assert body == "sku,delta,note\r\nTEE,-3,'=1+1\r\nMUG,2,\r\n"
