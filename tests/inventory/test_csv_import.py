"""Reading and checking a stock counts file (pure functions, no database)."""

import pytest

from inventory.csv_import import (
    MAX_ROWS,
    CountSheet,
    check_counts,
    counts_by_note,
    read_counts,
)

PRODUCTS = {"TEE": "tee", "MUG": "mug"}
WAREHOUSES = {"EAST": "east", "WEST": "west"}
LEVELS = {("TEE", "EAST"): (10, 4)}


def checked(text: str | bytes) -> CountSheet:
    return check_counts(read_counts(text), products=PRODUCTS, warehouses=WAREHOUSES, levels=LEVELS)


def errors_by_line(sheet: CountSheet) -> dict[int, tuple[str, ...]]:
    return {row.line: row.errors for row in sheet.rows if row.errors}


def test_a_clean_file_reads_every_row():
    sheet = checked("sku,warehouse,counted,note\nTEE,EAST,12,aisle 3\nMUG,WEST,0,\n")
    assert sheet.is_clean
    assert [(r.line, r.sku, r.warehouse, r.counted, r.note) for r in sheet.rows] == [
        (2, "TEE", "EAST", 12, "aisle 3"),
        (3, "MUG", "WEST", 0, ""),
    ]
    tee = sheet.rows[0]
    assert (tee.on_hand, tee.allocated, tee.change) == (10, 4, 2)
    # A level that does not exist yet counts from zero.
    assert (sheet.rows[1].on_hand, sheet.rows[1].change) == (0, 0)


def test_note_column_is_optional_and_columns_may_come_in_any_order_and_case():
    sheet = checked(" Counted ;SKU;Warehouse\r\n7;TEE;EAST\r\n")
    assert sheet.is_clean
    assert (sheet.rows[0].sku, sheet.rows[0].counted, sheet.rows[0].note) == ("TEE", 7, "")


def test_utf8_bom_from_spreadsheets_is_ignored():
    sheet = checked("\ufeffsku,warehouse,counted\nTEE,EAST,5\n".encode())
    assert sheet.is_clean


def test_blank_lines_are_skipped_and_line_numbers_kept():
    sheet = checked("sku,warehouse,counted\n\nTEE,EAST,5\n,,\nMUG,EAST,x\n")
    assert [row.line for row in sheet.rows] == [3, 5]
    assert errors_by_line(sheet) == {5: ("Counted must be a whole number of 0 or more (got “x”).",)}


def test_each_bad_row_carries_its_reasons():
    sheet = checked(
        "sku,warehouse,counted\n"
        "NOPE,EAST,1\n"  # unknown SKU
        "TEE,NORTH,1\n"  # unknown warehouse
        "MUG,EAST,-3\n"  # negative
        "MUG,WEST,2.5\n"  # not whole
        "MUG,WEST,\n"  # missing number (also duplicate of line 5)
        "TEE,EAST,3\n"  # below the 4 allocated
        ",EAST,1\n"  # no SKU
    )
    assert not sheet.is_clean
    assert errors_by_line(sheet) == {
        2: ("Unknown SKU “NOPE”.",),
        3: ("Unknown warehouse “NORTH”.",),
        4: ("Counted must be a whole number of 0 or more (got “-3”).",),
        5: ("Counted must be a whole number of 0 or more (got “2.5”).",),
        6: (
            "Counted must be a whole number of 0 or more (got nothing).",
            "Duplicate row: line 5 counts this SKU here.",
        ),
        7: ("Counted 3 is below the 4 units allocated to orders.",),
        8: ("SKU is missing.",),
    }
    assert len(sheet.bad_rows) == 7


@pytest.mark.parametrize("counted", ["1000001", "9" * 5000])
def test_an_absurd_count_is_an_error_not_a_crash(counted):
    sheet = checked(f"sku,warehouse,counted\nTEE,EAST,{counted}\n")
    assert errors_by_line(sheet) == {2: ("Counted must be at most 1,000,000.",)}


def test_a_count_equal_to_allocated_is_fine():
    assert checked("sku,warehouse,counted\nTEE,EAST,4\n").is_clean


def test_too_many_cells_is_an_error():
    sheet = checked("sku,warehouse,counted\nTEE,EAST,4,extra\n")
    assert errors_by_line(sheet) == {2: ("Has 4 cells; the header names 3.",)}


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("", "The file is empty."),
        ("sku,warehouse,counted\n", "The file has a header but no rows to import."),
        ("sku,qty\nTEE,1\n", "The first row must name the columns sku, warehouse, counted"),
        (
            "sku,warehouse,counted,colour\nTEE,EAST,1,red\n",
            "found: sku, warehouse, counted, colour",
        ),
        ("sku,sku,warehouse,counted\n", "The first row must name the columns"),
        (b"sku,warehouse,counted\nT\xe9E,EAST,1\n", "The file is not UTF-8 text."),
    ],
)
def test_a_file_that_is_not_a_counts_file_is_refused_as_a_whole(content, problem):
    sheet = checked(content)
    assert not sheet.is_clean
    assert any(problem in text for text in sheet.problems)


def test_too_many_rows_is_refused():
    rows = "".join(f"SKU{n},EAST,1\n" for n in range(MAX_ROWS + 1))
    sheet = read_counts("sku,warehouse,counted\n" + rows)
    assert sheet.problems == (f"The file has more than {MAX_ROWS} rows; split it into parts.",)


def test_data_round_trip_re_runs_the_checks():
    sheet = read_counts("sku,warehouse,counted,note\nTEE,EAST,5,a\nMUG,WEST,1,\n")
    again = CountSheet.from_data(sheet.to_data())
    assert again == sheet
    tampered = sheet.to_data()
    tampered[1][3] = "lots"
    assert not CountSheet.from_data(tampered).is_clean


def test_counts_are_grouped_by_note_for_booking():
    sheet = checked(
        "sku,warehouse,counted,note\nTEE,EAST,5,aisle 3\nMUG,WEST,1,\nMUG,EAST,2,aisle 3\n"
    )
    assert counts_by_note(sheet, products=PRODUCTS, warehouses=WAREHOUSES) == {
        "aisle 3": [("tee", "east", 5), ("mug", "east", 2)],
        "": [("mug", "west", 1)],
    }


def test_a_dirty_sheet_cannot_be_turned_into_counts():
    with pytest.raises(ValueError):
        counts_by_note(
            checked("sku,warehouse,counted\nNOPE,EAST,1\n"),
            products=PRODUCTS,
            warehouses=WAREHOUSES,
        )
