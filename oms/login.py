"""Sign-in with a brake on password guessing.

Failed attempts are counted per (client address, username) in the cache — shared by every web
process when `REDIS_URL` is set — and after `MAX_FAILURES` within the window further attempts
are refused without checking the password, until the window passes.
"""

from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.cache import cache
from django.core.exceptions import ValidationError

MAX_FAILURES = 10
WINDOW_SECONDS = 15 * 60


def _key(request, username: str) -> str:
    address = request.META.get("REMOTE_ADDR", "") if request else ""
    return f"login-failures:{address}:{username.strip().lower()}"


class ThrottledAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": (
            "Too many failed sign-ins for this account from here. "
            "Wait 15 minutes, or ask an administrator to reset your password."
        ),
    }

    def clean(self):
        key = _key(self.request, self.data.get("username", ""))
        if cache.get(key, 0) >= MAX_FAILURES:
            raise ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            cleaned = super().clean()
        except ValidationError:
            if cache.add(key, 1, WINDOW_SECONDS) is False:
                cache.incr(key)
            raise
        cache.delete(key)
        return cleaned


class ThrottledLoginView(LoginView):
    authentication_form = ThrottledAuthenticationForm
    redirect_authenticated_user = True
