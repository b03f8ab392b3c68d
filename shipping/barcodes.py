"""Barcodes on screen: a Code128 as inline SVG, so a pick list's number can be scanned straight
off the page (or its print) at the packing station. The PDFs draw theirs with reportlab
(`shipping.documents`); this reads the same bar pattern from reportlab's encoder."""

from django.utils.html import format_html, format_html_join
from reportlab.graphics.barcode.code128 import Code128

# Scanners need a blank margin of ten bar widths on each side.
QUIET_MODULES = 10


def code128_bars(value: str) -> tuple[list[tuple[int, int]], int]:
    """The bars of `value` as (x, width) in modules, and the total width with quiet zones."""
    barcode = Code128(value, barWidth=1, quiet=False)
    barcode.validate()
    barcode.encode()
    barcode.decompose()
    # `decomposed` spells the pattern: an upper-case letter is a bar, a lower-case one a
    # space, each as many modules wide as its place in the alphabet ("C" = 3 modules).
    bars, x = [], QUIET_MODULES
    for char in barcode.decomposed:
        width = ord(char.lower()) - ord("a") + 1
        if char.isupper():
            bars.append((x, width))
        x += width
    return bars, x + QUIET_MODULES


def code128_svg(value: str, *, height: int = 48, module: int = 2):
    """`value` as a Code128 SVG, `module` CSS pixels a bar width, `height` pixels tall."""
    bars, width = code128_bars(value)
    rects = format_html_join(
        "", '<rect x="{}" y="0" width="{}" height="{}"/>', ((x, w, height) for x, w in bars)
    )
    return format_html(
        '<svg class="barcode" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Barcode {}"'
        ' width="{}" height="{}" viewBox="0 0 {} {}" preserveAspectRatio="none"'
        ' shape-rendering="crispEdges">'
        '<rect width="100%" height="100%" fill="#fff"/><g fill="#000">{}</g></svg>',
        value,
        width * module,
        height,
        width,
        height,
        rects,
    )
