"""Partial rendering for htmx: one page template per screen, named partials for its swaps.

An htmx swap gets the partial; a full load, and an htmx history restore (which needs the whole
page back), get the page.
"""

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render

from oms.errors import DomainError


def is_partial_request(request) -> bool:
    """An htmx swap gets the partial; a full load and an htmx history restore get the page."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def keeping_banners(response: HttpResponse) -> HttpResponse:
    """Mark an htmx answer to a POST that reports no action (a live check as the person types):
    the banners above the page stay as they are. Every other answer to a POST replaces them
    (`oms.middleware.HtmxMessagesMiddleware`)."""
    response.keeps_banners = True
    return response


def render_screen(request, template: str, partial: str, context: dict, *, status: int = 200):
    """`template#partial` for an htmx swap, else the whole `template`."""
    name = f"{template}#{partial}" if is_partial_request(request) else template
    return render(request, name, context, status=status)


def form_action(
    request,
    form,
    run: Callable[[dict], str],
    *,
    on_success: Callable[[], HttpResponse],
    rerender: Callable[[object | None], HttpResponse],
) -> HttpResponse:
    """The answer every back-office action gives, in one place.

    A valid `form` runs the service through `run`, which returns the success message: it is
    flashed, and a plain post follows `on_success` (a redirect) while an htmx swap gets
    `rerender(None)` — the screen again, fresh. A service's refusal (`DomainError`) is flashed
    and put beside the fields it names (`form.add_domain_error`); invalid input and refusals
    get `rerender(form)`, the screen with the bound form. Either way nothing changed.
    """
    if form.is_valid():
        try:
            message = run(form.cleaned_data)
        except DomainError as error:
            messages.error(request, error.message)
            form.add_domain_error(error)
        else:
            messages.success(request, message)
            if not is_partial_request(request):
                return on_success()
            form = None
    return rerender(form)
