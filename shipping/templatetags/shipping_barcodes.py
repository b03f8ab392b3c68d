"""`{% code128 value %}`: a scannable barcode of `value`, drawn inline as SVG."""

from django import template

from shipping.barcodes import code128_svg

register = template.Library()


@register.simple_tag
def code128(value: str, height: int = 48, module: int = 2):
    return code128_svg(str(value), height=height, module=module) if value else ""
