"""Content-Security-Policy, Permissions-Policy and HSTS on what the app answers."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.http import HttpResponse
from django.urls import reverse

from oms.security_headers import SecurityHeadersMiddleware
from oms.services import api_client_create

ROOT = Path(__file__).resolve().parents[2]
STRICT_DIRECTIVES = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
    "form-action 'self'",
]
# What the policy would block in a page: inline scripts, handler attributes, javascript: URLs,
# hx-on (htmx evaluates it), trigger filters (evaluated too), style attributes and blocks.
INLINE_CODE = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|javascript:|hx-on|hx-vars|js:"
    r"|hx-trigger=\"[^\"]*\[|\sstyle\s*=|<style",
    re.IGNORECASE,
)
TEMPLATE_COMMENT = re.compile(r"{% comment %}.*?{% endcomment %}|{#.*?#}", re.DOTALL)


def directives(response) -> list[str]:
    return [part.strip() for part in response["Content-Security-Policy"].split(";")]


def assert_strict_headers(response) -> None:
    assert directives(response) == STRICT_DIRECTIVES
    policy = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy


@pytest.mark.django_db
def test_pages_carry_the_policies(client, support_user):
    assert_strict_headers(client.get(reverse("login")))
    client.force_login(support_user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert_strict_headers(response)
    assert_strict_headers(client.get("/no-such-page/"))


@pytest.mark.django_db
def test_api_answers_carry_the_policies(client, support_user):
    anonymous = client.get("/api/v1/me/")
    assert anonymous.status_code == 401
    assert_strict_headers(anonymous)
    _, key = api_client_create(name="headers", user=support_user)
    response = client.get("/api/v1/me/", headers={"Authorization": f"Token {key}"})
    assert response.status_code == 200
    assert_strict_headers(response)


def test_healthz_carries_the_policies(client, db):
    assert_strict_headers(client.get("/healthz"))


def test_pdfs_are_left_to_the_browsers_viewer_without_a_policy(rf):
    def pdf(request):
        return HttpResponse(b"%PDF-1.4", content_type="application/pdf")

    response = SecurityHeadersMiddleware(pdf)(rf.get("/shipping/shipments/1/label.pdf"))
    assert "Content-Security-Policy" not in response
    assert "camera=()" in response["Permissions-Policy"]


@pytest.mark.django_db
def test_api_docs_load_their_script_as_a_file_and_may_show_data_images(client):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    assert "img-src 'self' data:" in page["Content-Security-Policy"]
    assert "script-src 'self'" in page["Content-Security-Policy"]
    html = page.content.decode()
    assert not INLINE_CODE.search(html), INLINE_CODE.search(html)
    script_url = re.search(r'<script src="([^"]*\?[^"]*script=[^"]*)"', html).group(1)
    script = client.get(script_url.replace("&amp;", "&"))
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


@pytest.mark.django_db
def test_hsts_is_sent_only_when_https_comes_through_a_trusted_proxy(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Without the proxy setting, a client claiming HTTPS in a header is not believed.
    response = client.get(reverse("login"), headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in response

    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    response = client.get(reverse("login"), headers={"X-Forwarded-Proto": "https"})
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    # Plain HTTP behind the proxy gets none.
    assert "Strict-Transport-Security" not in client.get(reverse("login"))


@pytest.mark.django_db
def test_htmx_is_told_not_to_inject_styles_nor_evaluate_code(client, support_user):
    client.force_login(support_user)
    html = client.get(reverse("home")).content.decode()
    config = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", html).group(1)
    assert json.loads(config) == {
        "includeIndicatorStyles": False,
        "allowEval": False,
        "allowScriptTags": False,
    }
    assert '<script src="/static/js/oms.js" defer></script>' in html


def test_no_page_template_carries_inline_code():
    """Templates of pages hold no code or style the policy would block (emails are not pages:
    mail clients need inline styles)."""
    offenders = []
    for folder in django_settings.TEMPLATES[0]["DIRS"]:
        for template in Path(folder).rglob("*.html"):
            if "email" in template.parts:
                continue
            match = INLINE_CODE.search(TEMPLATE_COMMENT.sub("", template.read_text()))
            if match:
                offenders.append(f"{template.relative_to(ROOT)}: {match.group(0)}")
    assert offenders == []
