from django.contrib import messages
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse
from django_htmx.http import HttpResponseClientRedirect
from django_htmx.middleware import HtmxDetails

from oms.middleware import HtmxMessagesMiddleware
from oms.rendering import keeping_banners


def htmx_request(rf):
    request = rf.post("/", HTTP_HX_REQUEST="true")
    SessionMiddleware(lambda r: HttpResponse()).process_request(request)
    MessageMiddleware(lambda r: HttpResponse()).process_request(request)
    request.htmx = HtmxDetails(request)
    return request


def test_a_swapped_partial_carries_pending_messages_out_of_band(rf):
    request = htmx_request(rf)

    def view(request):
        messages.success(request, "Saved.")
        return HttpResponse("<p>partial</p>")

    response = HtmxMessagesMiddleware(view)(request)
    body = response.content.decode()
    assert body.startswith("<p>partial</p>")
    assert 'id="messages"' in body and 'hx-swap-oob="true"' in body
    assert "Saved." in body


def test_messages_wait_for_the_page_an_htmx_redirect_loads(rf):
    request = htmx_request(rf)

    def view(request):
        messages.success(request, "Order placed.")
        return HttpResponseClientRedirect("/orders/SO-000001/")

    response = HtmxMessagesMiddleware(view)(request)
    assert b"Order placed." not in response.content
    assert [str(message) for message in messages.get_messages(request)] == ["Order placed."]


def test_an_action_that_flashes_nothing_clears_the_last_banner(rf):
    request = htmx_request(rf)

    def view(request):
        return HttpResponse('<form><small class="error">This field is required.</small></form>')

    body = HtmxMessagesMiddleware(view)(request).content.decode()
    assert '<div id="messages" class="messages" aria-live="polite" hx-swap-oob="true">' in body
    assert "flash" not in body


def test_a_swap_that_only_reads_leaves_the_banners_alone(rf):
    request = rf.get("/", HTTP_HX_REQUEST="true")
    SessionMiddleware(lambda r: HttpResponse()).process_request(request)
    MessageMiddleware(lambda r: HttpResponse()).process_request(request)
    request.htmx = HtmxDetails(request)

    body = HtmxMessagesMiddleware(lambda request: HttpResponse("<p>page 2</p>"))(request).content
    assert body == b"<p>page 2</p>"


def test_a_live_check_as_the_person_types_leaves_the_banners_alone(rf):
    request = htmx_request(rf)

    def view(request):
        return keeping_banners(
            HttpResponse('<small class="check-ok">5.00 can be refunded.</small>')
        )

    body = HtmxMessagesMiddleware(view)(request).content.decode()
    assert body == '<small class="check-ok">5.00 can be refunded.</small>'
