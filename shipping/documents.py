"""Printable documents: shipping labels (4×6 PDF and ZPL II) and pick lists (PDF).

Pure renderers: they take plain data (`LabelData`, `PickListData`) and return the document;
storing or sending it is the caller's job.

Text is set in the PDF's built-in Helvetica, which holds only Windows-1252 (Western European)
characters, and ZPL's font 0, which holds Latin-1. Anything else in an address is written as its
closest letter ("Ł" → "L", "ő" → "o") or, failing that, "?" — a legible label rather than an
error or an invisible box. ZPL text also loses `^` and `~`, its command characters, so an
address can never inject commands into the printer.
"""

import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch, mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from shipping.carriers.base import Party

LABEL_SIZE = (4 * inch, 6 * inch)  # 288 × 432 pt
FONT = "Helvetica"
BOLD = "Helvetica-Bold"

# Letters that do not decompose into a base letter and an accent.
_LETTERS = str.maketrans(
    {
        "Ł": "L",
        "ł": "l",
        "Đ": "D",
        "đ": "d",
        "Ħ": "H",
        "ħ": "h",
        "ı": "i",
        "Ŧ": "T",
        "ŧ": "t",
        "ĸ": "k",
        "Ŋ": "N",
        "ŋ": "n",
        "ẞ": "SS",
        "Ə": "E",
        "ə": "e",
        "Ø": "O",
        "ø": "o",
        "Æ": "AE",
        "æ": "ae",
        "Œ": "OE",
        "œ": "oe",
        "ß": "ss",
        "Þ": "Th",
        "þ": "th",
        "Ð": "D",
        "ð": "d",
    }
)
_SPACES = re.compile(r"\s+")


def printable(text: str | None, encoding: str = "cp1252") -> str:
    """`text` on one line with only characters `encoding` holds: each other character becomes
    its base letter ("ő" → "o", "Ł" → "L") or "?"; invisible ones are dropped."""
    text = unicodedata.normalize("NFC", _SPACES.sub(" ", str(text or "")).strip())
    out = []
    for char in text:
        if _encodable(char, encoding):
            out.append(char)
        elif unicodedata.category(char)[0] not in "MC":
            # Stray accents and control or formatting characters print as nothing.
            out.append(_closest(char, encoding))
    return "".join(out)


def _closest(char: str, encoding: str) -> str:
    base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    for candidate in (base, char.translate(_LETTERS)):
        if candidate and _encodable(candidate, encoding):
            return candidate
    return "?"


def _encodable(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return text.isprintable()


def weight_text(weight_grams: int) -> str:
    return f"{(Decimal(weight_grams) / 1000).quantize(Decimal('0.01'))} kg"


# --- shipping label ------------------------------------------------------------------------


@dataclass(frozen=True)
class LabelData:
    ship_from: Party
    ship_to: Party
    order_number: str
    shipment_number: str
    carrier_name: str
    method_name: str
    weight_grams: int
    tracking_number: str
    tracking_url: str = ""


def _fit(text: str, font: str, size: float, width: float, *, smallest: float = 7) -> tuple:
    """(text, size) that fits `width`: smaller type first, then cut with an ellipsis."""
    text = printable(text)
    while size > smallest and stringWidth(text, font, size) > width:
        size -= 0.5
    if stringWidth(text, font, size) > width:
        while text and stringWidth(text + "…", font, size) > width:
            text = text[:-1]
        text += "…"
    return text, size


def _line(canvas: Canvas, x: float, y: float, text: str, font: str, size: float, width: float):
    text, size = _fit(text, font, size, width)
    canvas.setFont(font, size)
    canvas.drawString(x, y, text)


def _barcode(value: str, *, width: float, height: float, widest_bar: float) -> Code128:
    """A Code128 of `value` as wide as fits `width`, its bars at most `widest_bar` points."""
    modules = Code128(value, barWidth=1, barHeight=height, quiet=False).width
    bar_width = min(widest_bar, width / modules)
    return Code128(value, barWidth=bar_width, barHeight=height, quiet=False)


def render_label_pdf(data: LabelData) -> bytes:
    """The 4×6 inch label as a one-page PDF (the same bytes for the same data)."""
    buffer = io.BytesIO()
    page_width, page_height = LABEL_SIZE
    margin = 14
    inner = page_width - 2 * margin
    canvas = Canvas(buffer, pagesize=LABEL_SIZE, invariant=True)
    canvas.setTitle(printable(f"Label {data.shipment_number} {data.tracking_number}"))
    canvas.setAuthor("OMS")

    # Sender (top left) and service (top right).
    y = page_height - margin - 8
    _line(canvas, margin, y, "FROM", BOLD, 7, inner / 2)
    for text in data.ship_from.address_lines():
        y -= 9
        _line(canvas, margin, y, text, FONT, 8, inner * 0.58)
    right = margin + inner * 0.62
    _line(canvas, right, page_height - margin - 12, data.carrier_name, BOLD, 12, inner * 0.38)
    _line(canvas, right, page_height - margin - 26, data.method_name, FONT, 10, inner * 0.38)

    divider = min(y, page_height - margin - 30) - 10
    canvas.setLineWidth(1.5)
    canvas.line(margin, divider, page_width - margin, divider)

    # Receiver: the largest text on the label.
    y = divider - 16
    _line(canvas, margin, y, "SHIP TO", BOLD, 9, inner)
    ship_to = data.ship_to.address_lines()
    for index, text in enumerate(ship_to):
        y -= 20 if index == 0 else 17
        _line(canvas, margin + 8, y, text, BOLD if index == 0 else FONT, 16, inner - 8)
    y -= 14
    canvas.line(margin, y, page_width - margin, y)

    # Parcel facts.
    for label, value in (
        ("Order", data.order_number),
        ("Shipment", data.shipment_number),
        ("Weight", weight_text(data.weight_grams)),
    ):
        y -= 14
        _line(canvas, margin, y, f"{label}:", BOLD, 10, 60)
        _line(canvas, margin + 62, y, value, FONT, 10, inner - 62)

    # Tracking barcode, its number printed under it.
    tracking = printable(data.tracking_number, "ascii")
    bottom = margin + (14 if data.tracking_url else 4)
    if tracking:
        barcode = _barcode(tracking, width=inner, height=72, widest_bar=1.6)
        barcode.drawOn(canvas, (page_width - barcode.width) / 2, bottom + 18)
        text, size = _fit(tracking, BOLD, 13, inner)
        canvas.setFont(BOLD, size)
        canvas.drawCentredString(page_width / 2, bottom + 4, text)
    if data.tracking_url:
        text, size = _fit(data.tracking_url, FONT, 7, inner, smallest=5)
        canvas.setFont(FONT, size)
        canvas.drawCentredString(page_width / 2, margin - 2, text)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


# --- the same label in ZPL II --------------------------------------------------------------

ZPL_DOTS_PER_INCH = 203
ZPL_WIDTH = 4 * ZPL_DOTS_PER_INCH  # 812 dots
ZPL_LENGTH = 6 * ZPL_DOTS_PER_INCH  # 1218 dots
ZPL_MARGIN = 30
SERVICE_X = 470  # where the carrier and method stand, right of the sender
_ZPL_UNSAFE = re.compile(r"[\^~]")
_BARCODE_SAFE = re.compile(r"[^A-Za-z0-9 .\-/]")


def zpl_text(text: str) -> str:
    """Field data safe inside ^FD…^FS: Latin-1 (printed via ^CI28), no ^ or ~."""
    return printable(_ZPL_UNSAFE.sub(" ", str(text or "")), "latin-1")


def _zpl_field(x: int, y: int, height: int, text: str, *, right: int = ZPL_WIDTH - ZPL_MARGIN):
    # Font 0 runs about 0.55 × its height per character; longer text is cut, not wrapped.
    room = max(4, int((right - x) / (height * 0.55)))
    text = zpl_text(text)
    if len(text) > room:
        text = text[: room - 3] + "..."
    return f"^FO{x},{y}^A0N,{height},{height}^FD{text}^FS"


def render_label_zpl(data: LabelData) -> str:
    """The label in ZPL II for a 4×6 inch thermal printer at 203 dpi (send it as UTF-8:
    `^CI28`)."""
    fields = ["^XA", "^CI28", f"^PW{ZPL_WIDTH}", f"^LL{ZPL_LENGTH}", "^LH0,0"]
    x = ZPL_MARGIN + 10
    y = ZPL_MARGIN
    fields.append(_zpl_field(x, y, 20, "FROM"))
    for text in data.ship_from.address_lines():
        y += 26
        fields.append(_zpl_field(x, y, 22, text, right=SERVICE_X - 10))
    fields.append(_zpl_field(SERVICE_X, ZPL_MARGIN, 30, data.carrier_name))
    fields.append(_zpl_field(SERVICE_X, ZPL_MARGIN + 38, 26, data.method_name))
    y = max(y + 40, ZPL_MARGIN + 90)
    fields.append(f"^FO{ZPL_MARGIN},{y}^GB{ZPL_WIDTH - 2 * ZPL_MARGIN},3,3^FS")

    y += 20
    fields.append(_zpl_field(x, y, 26, "SHIP TO"))
    for index, text in enumerate(data.ship_to.address_lines()):
        y += 52 if index == 0 else 44
        fields.append(_zpl_field(x + 20, y, 46 if index == 0 else 40, text))
    y += 60
    fields.append(f"^FO{ZPL_MARGIN},{y}^GB{ZPL_WIDTH - 2 * ZPL_MARGIN},3,3^FS")

    for label, value in (
        ("Order", data.order_number),
        ("Shipment", data.shipment_number),
        ("Weight", weight_text(data.weight_grams)),
    ):
        y += 36
        fields.append(_zpl_field(x, y, 28, f"{label}: {value}"))

    tracking = _BARCODE_SAFE.sub("", printable(data.tracking_number, "ascii"))
    if tracking:
        # Code128 in subset B: 11 modules a character plus start, check and stop (13).
        modules = 11 * (len(tracking) + 2) + 13
        room = ZPL_WIDTH - 2 * ZPL_MARGIN
        module = next((size for size in (3, 2) if modules * size <= room), 1)
        left = max(ZPL_MARGIN, (ZPL_WIDTH - modules * module) // 2)
        fields.append(f"^FO{left},{y + 60}^BY{module}^BCN,180,Y,N,N^FD{tracking}^FS")
    if data.tracking_url:
        fields.append(_zpl_field(x, ZPL_LENGTH - ZPL_MARGIN - 24, 20, data.tracking_url))
    fields.append("^XZ")
    return "\n".join(fields) + "\n"


# --- pick list -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PickRow:
    bin_location: str
    sku: str
    name: str
    barcode: str
    quantity: int
    orders: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PickListData:
    number: str
    warehouse_code: str
    warehouse_name: str
    created_at: datetime
    rows: list[PickRow]


NO_BIN = "(no bin)"
_DIGITS = re.compile(r"(\d+)")


def bin_order(bin_location: str) -> tuple:
    """Walk order: bins naturally sorted ("A-2" before "A-10"), rows without a bin last."""
    text = bin_location.strip().casefold()
    parts = tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part) for part in _DIGITS.split(text)
    )
    return (not text, parts)


def pick_rows_in_order(rows: list[PickRow]) -> list[PickRow]:
    return sorted(rows, key=lambda row: (bin_order(row.bin_location), row.sku))


def render_pick_list_pdf(data: PickListData, *, pagesize=A4) -> bytes:
    """The pick list as a PDF (A4 unless `pagesize`, e.g. `reportlab.lib.pagesizes.LETTER`):
    its number as a barcode to scan at the packing station, then what to pick, bin by bin."""
    buffer = io.BytesIO()
    margin = 15 * mm
    document = SimpleDocTemplate(
        buffer,
        pagesize=pagesize,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin + 6,
        title=printable(f"Pick list {data.number}"),
        author="OMS",
        invariant=True,
    )
    width = pagesize[0] - 2 * margin
    title = ParagraphStyle("title", fontName=BOLD, fontSize=18, leading=22)
    small = ParagraphStyle("small", fontName=FONT, fontSize=9, leading=11)
    cell = ParagraphStyle("cell", fontName=FONT, fontSize=8.5, leading=10)
    bold_cell = ParagraphStyle("bold_cell", parent=cell, fontName=BOLD)
    caption = ParagraphStyle("caption", parent=cell, fontSize=6, leading=7)

    def para(text: str, style=cell) -> Paragraph:
        return Paragraph(escape(printable(text)), style)

    created = timezone.localtime(data.created_at) if timezone.is_aware(data.created_at) else None
    number = printable(data.number, "ascii")
    heading = Table(
        [
            [
                [
                    para(f"Pick list {data.number}", title),
                    para(f"Warehouse {data.warehouse_code} — {data.warehouse_name}", small),
                    para(f"Created {(created or data.created_at):%Y-%m-%d %H:%M}", small),
                ],
                _barcode(number, width=200, height=36, widest_bar=1.2) if number else "",
            ]
        ],
        colWidths=[width - 210, 210],
        style=[("VALIGN", (0, 0), (-1, -1), "TOP"), ("ALIGN", (1, 0), (1, 0), "RIGHT")],
    )

    rows = pick_rows_in_order(data.rows)
    columns = [0.12, 0.06, 0.14, 0.26, 0.2, 0.22]  # of the width: bin, qty … orders
    column_widths = [width * share for share in columns]
    # Cells are padded 6 pt on each side.
    barcode_width = column_widths[4] - 12
    table_rows = [
        [para(text, bold_cell) for text in ("Bin", "Qty", "SKU", "Product", "Barcode", "Orders")]
    ]
    style = [
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (1, 1), (1, -1), "RIGHT"),
    ]
    previous_bin = None
    for index, row in enumerate(rows, start=1):
        bin_label = row.bin_location.strip() or NO_BIN
        if previous_bin is not None and bin_label != previous_bin:
            # A heavier rule where the picker walks on to the next bin.
            style.append(("LINEABOVE", (0, index), (-1, index), 1.2, colors.black))
        previous_bin = bin_label
        barcode_text = printable(row.barcode, "ascii")
        barcode = ""
        if barcode_text:
            barcode = [
                _barcode(barcode_text, width=barcode_width, height=16, widest_bar=0.9),
                para(barcode_text, caption),
            ]
        table_rows.append(
            [
                para(bin_label, bold_cell),
                para(str(row.quantity), bold_cell),
                para(row.sku),
                para(row.name),
                barcode,
                para(", ".join(row.orders)),
            ]
        )
    table = Table(
        table_rows,
        colWidths=column_widths,
        repeatRows=1,
        style=TableStyle(style),
    )
    units = sum(row.quantity for row in rows)
    story = [
        heading,
        Spacer(1, 8),
        table,
        Spacer(1, 8),
        para(f"{len(rows)} lines, {units} units.", small),
    ]

    def footer(canvas: Canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.drawRightString(
            pagesize[0] - margin, margin - 2, printable(f"{data.number} — page {doc.page}")
        )
        canvas.restoreState()

    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
