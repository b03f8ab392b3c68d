"""Printed documents: the 4×6 label as PDF and ZPL, and the pick list, read back as a person
(or a printer) would read them."""

import io
import re
from datetime import UTC, datetime

import pypdf
import pytest

from shipping.carriers.base import Party
from shipping.documents import (
    LabelData,
    PickListData,
    PickRow,
    printable,
    render_label_pdf,
    render_label_zpl,
    render_pick_list_pdf,
)

TRACKING = "SBX00421337905"
# Every ZPL command the label itself uses.
LABEL_COMMANDS = {"XA", "CI", "PW", "LL", "LH", "FO", "A0", "FD", "FS", "GB", "BY", "BC", "XZ"}


def label(**ship_to) -> LabelData:
    recipient = {
        "name": "Ada Lovelace",
        "company": "Analytical Engines Ltd",
        "line1": "12 Analytical Row",
        "line2": "Floor 2",
        "city": "Newark",
        "region": "NJ",
        "postal_code": "07114",
        "country": "US",
        "phone": "+1 555 0100",
    }
    recipient.update(ship_to)
    return LabelData(
        ship_from=Party(
            name="East warehouse",
            line1="1 Dock Road",
            city="Reno",
            region="NV",
            postal_code="89501",
            country="US",
        ),
        ship_to=Party(**recipient),
        order_number="SO-000123",
        shipment_number="SH-000045",
        carrier_name="Sandbox Parcel",
        method_name="Ground",
        weight_grams=1250,
        tracking_number=TRACKING,
        tracking_url=f"https://track.example.com/?n={TRACKING}",
    )


def pdf_pages(document: bytes) -> list[pypdf.PageObject]:
    return list(pypdf.PdfReader(io.BytesIO(document)).pages)


def pdf_text(document: bytes) -> str:
    return "\n".join(page.extract_text() for page in pdf_pages(document))


# --- the label as PDF ---------------------------------------------------------------------


def test_the_label_is_one_4_by_6_inch_page():
    pages = pdf_pages(render_label_pdf(label()))
    assert len(pages) == 1
    assert (float(pages[0].mediabox.width), float(pages[0].mediabox.height)) == (288, 432)


def test_the_label_shows_who_gets_it_what_it_is_and_how_to_track_it():
    text = pdf_text(render_label_pdf(label()))
    for fact in (
        "Ada Lovelace",
        "12 Analytical Row",
        "Newark NJ 07114",
        "East warehouse",
        "SO-000123",
        "SH-000045",
        "Sandbox Parcel",
        "Ground",
        "1.25 kg",
        TRACKING,
        f"https://track.example.com/?n={TRACKING}",
    ):
        assert fact in text


def test_the_tracking_number_is_drawn_as_a_barcode():
    page = pdf_pages(render_label_pdf(label()))[0]
    # Code128 bars are filled rectangles; the rest of the label draws only two rules.
    assert page.get_contents().get_data().count(b" re") > 30


def test_the_same_label_renders_the_same_bytes():
    assert render_label_pdf(label()) == render_label_pdf(label())


def test_letters_helvetica_lacks_are_written_legibly_not_crashed_on():
    text = pdf_text(render_label_pdf(label(name="Zoë Łukasz 東京", city="Kraków")))
    assert "Zoë Lukasz ??" in text
    assert "Kraków" in text


def test_a_very_long_address_line_is_shortened_to_fit():
    text = pdf_text(render_label_pdf(label(line1="Industriestraße " * 12)))
    assert "Industriestraße Industriestraße" in text
    assert "…" in text


def test_printable_keeps_what_the_font_holds_and_replaces_the_rest():
    assert printable("Zoë Łukasz 東京") == "Zoë Lukasz ??"
    assert printable("Dvořák\tŐrs\n") == "Dvorák Ors"
    assert printable("Müller €5", "latin-1") == "Müller ?5"
    assert printable("Cafe\u0301\u200b\x00") == "Café"  # decomposed accent, invisibles
    assert printable("Œuvre ﬁne", "latin-1") == "OEuvre fine"
    assert printable(None) == ""


# --- the label as ZPL ---------------------------------------------------------------------


def test_the_zpl_label_is_one_label_with_the_tracking_barcode():
    zpl = render_label_zpl(label())
    assert zpl.startswith("^XA")
    assert zpl.rstrip().endswith("^XZ")
    assert "^PW812" in zpl and "^LL1218" in zpl
    assert re.search(rf"\^BCN,[^^]*\^FD{TRACKING}\^FS", zpl)
    for fact in ("Ada Lovelace", "12 Analytical Row", "SO-000123", "SH-000045", "1.25 kg"):
        assert re.search(rf"\^FO\d+,\d+\^A0N,\d+,\d+\^FD[^^]*{re.escape(fact)}", zpl)


def test_an_address_cannot_inject_zpl_commands():
    zpl = render_label_zpl(label(name="Mallory ^XZ^XA~JR", line1="1 Main St^FS^FO0,0"))
    assert zpl.count("^XA") == 1 and zpl.count("^XZ") == 1
    assert "~" not in zpl
    commands = set(re.findall(r"\^([A-Z][A-Z0-9])", zpl))
    assert commands <= LABEL_COMMANDS
    assert "^FDMallory XZ XA JR^FS" in zpl


def test_zpl_text_is_latin_1_for_utf8_printing():
    zpl = render_label_zpl(label(name="Zoë Łukasz 東京"))
    assert "^CI28" in zpl
    assert "^FDZoë Lukasz ??^FS" in zpl


# --- the pick list ------------------------------------------------------------------------


def pick_list(rows) -> PickListData:
    return PickListData(
        number="PL-000042",
        warehouse_code="EAST",
        warehouse_name="East warehouse",
        created_at=datetime(2026, 11, 23, 9, 30, tzinfo=UTC),
        rows=rows,
    )


def row(bin_location, sku, *, orders=("SO-000001",), barcode="4006381000001", quantity=1):
    return PickRow(
        bin_location=bin_location,
        sku=sku,
        name=f"{sku} product",
        barcode=barcode,
        quantity=quantity,
        orders=list(orders),
    )


def test_the_pick_list_walks_the_bins_in_order_with_the_unbinned_last():
    rows = [
        row("", "LOOSE"),
        row("B-01", "BOLT"),
        row("A-10", "TEN"),
        row("A-2", "TWO-B"),
        row("A-2", "TWO-A", orders=("SO-000007", "SO-000009"), quantity=3),
    ]
    text = pdf_text(render_pick_list_pdf(pick_list(rows)))
    assert "Pick list PL-000042" in text
    assert "EAST" in text and "East warehouse" in text
    skus = [line for line in text.splitlines() if line in {r.sku for r in rows}]
    assert skus == ["TWO-A", "TWO-B", "TEN", "BOLT", "LOOSE"]
    bins = [line for line in text.splitlines() if line in {"A-2", "A-10", "B-01", "(no bin)"}]
    assert bins == ["A-2", "A-2", "A-10", "B-01", "(no bin)"]
    assert "SO-000007, SO-000009" in text
    assert "4006381000001" in text
    assert "5 lines, 7 units." in text


def test_a_long_pick_list_runs_over_pages():
    rows = [row(f"R-{n % 9}", f"SKU-{n:03d}", orders=(f"SO-{n:06d}",)) for n in range(80)]
    document = render_pick_list_pdf(pick_list(rows))
    pages = pdf_pages(document)
    assert len(pages) >= 2
    text = pdf_text(document)
    assert all(f"SKU-{n:03d}" in text for n in range(80))
    assert "PL-000042 — page 2" in text


def test_pick_list_text_outside_the_font_does_not_crash():
    rows = [row("A-1", "MUG", orders=("SO-1",)), row("A-1", "東京-1", barcode="")]
    text = pdf_text(render_pick_list_pdf(pick_list(rows)))
    assert "??-1" in text


@pytest.mark.parametrize("count", [0, 1])
def test_a_short_or_empty_pick_list_is_one_page(count):
    rows = [row("A-1", "MUG")][:count]
    assert len(pdf_pages(render_pick_list_pdf(pick_list(rows)))) == 1
