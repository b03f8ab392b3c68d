from django.contrib import messages
from django.template.loader import render_to_string

# Response headers that make htmx navigate instead of swapping the body in.
CLIENT_SIDE_NAVIGATION = ("HX-Redirect", "HX-Location", "HX-Refresh")


class HtmxMessagesMiddleware:
    """Deliver flash messages on htmx swaps.

    A full page renders messages in `base.html`. A partial swapped in by htmx does not, so any
    message still unread when the partial is returned is appended as an out-of-band swap of
    the `#messages` region. The answer to an action (any method but GET and HEAD) replaces the
    region even when it has nothing to say: a success banner must not stay above a later action
    that failed (a form returned with its errors flashes nothing). A live check as the person
    types is no action and leaves the banners alone (`oms.rendering.keeping_banners`).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not getattr(request, "htmx", False) or 300 <= response.status_code < 400:
            return response
        if any(header in response for header in CLIENT_SIDE_NAVIGATION):
            # htmx drops this body and loads another page, which shows the messages itself.
            return response
        if response.streaming or "text/html" not in response.get("Content-Type", ""):
            return response
        storage = messages.get_messages(request)
        if storage.used:
            return response
        pending = list(storage)
        action = request.method not in ("GET", "HEAD") and not getattr(
            response, "keeps_banners", False
        )
        if pending or action:
            response.content += render_to_string(
                "components/messages.html", {"messages": pending, "oob": True}
            ).encode(response.charset)
        return response
