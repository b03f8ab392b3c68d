"""`oms.rendering`: an htmx swap gets the named partial, anything else the whole page."""

import pytest
from django_htmx.middleware import HtmxDetails

from oms.rendering import is_partial_request, render_screen

SCREEN = (
    "{% load partials %}<html><h1>Stock</h1>"
    "{% partialdef results inline %}<p>{{ count }} results</p>{% endpartialdef %}</html>"
)


@pytest.fixture(autouse=True)
def screen_template(settings):
    settings.TEMPLATES = [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {
                "loaders": [
                    (
                        "template_partials.loader.Loader",
                        [("django.template.loaders.locmem.Loader", {"screen.html": SCREEN})],
                    )
                ]
            },
        }
    ]


def request_with(rf, **headers):
    request = rf.get("/stock/", headers=headers)
    request.htmx = HtmxDetails(request)
    return request


def test_an_htmx_swap_gets_the_partial(rf):
    request = request_with(rf, HX_Request="true")
    assert is_partial_request(request)
    response = render_screen(request, "screen.html", "results", {"count": 3})
    assert response.content.decode() == "<p>3 results</p>"


@pytest.mark.parametrize(
    "headers",
    [{}, {"HX_Request": "true", "HX_History_Restore_Request": "true"}],
    ids=["full load", "history restore"],
)
def test_a_full_load_and_a_history_restore_get_the_page(rf, headers):
    request = request_with(rf, **headers)
    assert not is_partial_request(request)
    response = render_screen(request, "screen.html", "results", {"count": 3})
    assert response.content.decode() == "<html><h1>Stock</h1><p>3 results</p></html>"


def test_the_status_is_passed_on(rf):
    request = request_with(rf, HX_Request="true")
    response = render_screen(request, "screen.html", "results", {"count": 0}, status=422)
    assert response.status_code == 422
