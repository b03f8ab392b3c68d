"""Partial rendering for htmx: one page template per screen, named partials for its swaps.

An htmx swap gets the partial; a full load, and an htmx history restore (which needs the whole
page back), get the page.
"""

from django.shortcuts import render


def is_partial_request(request) -> bool:
    """An htmx swap gets the partial; a full load and an htmx history restore get the page."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def render_screen(request, template: str, partial: str, context: dict, *, status: int = 200):
    """`template#partial` for an htmx swap, else the whole `template`."""
    name = f"{template}#{partial}" if is_partial_request(request) else template
    return render(request, name, context, status=status)
