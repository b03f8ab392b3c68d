"""Content-Security-Policy and Permissions-Policy on every response.

Everything a page runs is served by the app: htmx from django-htmx, our behaviour from
`static/js/oms.js`, styles from `static/css/`. Templates hold no inline script, no event-handler
attribute, no `javascript:` URL, no `hx-on` and no `style=` attribute, and htmx is configured
(a meta tag in `base.html`) not to inject its indicator style nor evaluate code. So the policy
allows the app's own origin and nothing else, inline code and styles included: an injected
`<script>` or `onerror=` does not run.

Swagger UI (`/api/docs/`, drf-spectacular's sidecar, served split so its start-up script is a
file) draws its icons from `data:` images in its stylesheet, so its pages also allow those.

PDFs (labels, pick lists) are shown by the browser's own viewer, which builds a page around the
file; a policy sent with the file would apply to that page and may stop the viewer, so PDFs go
without one. They carry no script of ours to protect.

Permissions-Policy turns off browser features no screen uses. The packing station's scanner
types like a keyboard; nothing needs the camera, microphone or location.
"""

from django.conf import settings

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}
API_DOCS_POLICY = {**POLICY, "img-src": "'self' data:"}
API_DOCS_PREFIX = "/api/docs/"

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "serial",
        "usb",
    )
)


def _header(policy: dict[str, str]) -> str:
    return "; ".join(f"{directive} {sources}" for directive, sources in policy.items())


CONTENT_SECURITY_POLICY = _header(POLICY)
API_DOCS_CONTENT_SECURITY_POLICY = _header(API_DOCS_POLICY)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.DEBUG and response.status_code in (404, 500):
            # Django's debug error pages are built with inline script and style; production's
            # error pages are ours and get the policy like every other page.
            return response
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if response.get("Content-Type", "").startswith("application/pdf"):
            return response
        if request.path.startswith(API_DOCS_PREFIX):
            policy = API_DOCS_CONTENT_SECURITY_POLICY
        else:
            policy = CONTENT_SECURITY_POLICY
        response.headers.setdefault("Content-Security-Policy", policy)
        return response
