from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import redirect_to_login

PUBLIC_PREFIXES = ("/accounts/login/", "/static/", "/api/", "/i18n/", "/healthz", "/admin/")


class LoginRequiredMiddleware:
    """Pages need a logged-in user unless listed as public. The API authenticates itself
    (session or bearer token) and the admin has its own login."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if not request.user.is_authenticated and not path.startswith(PUBLIC_PREFIXES):
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        return self.get_response(request)


UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# The API limits writes per endpoint after its own authentication (bearer tokens are only
# known there); the login form has its own, stricter limit.
WRITE_LIMIT_EXEMPT_PREFIXES = ("/api/", "/accounts/login/", "/static/")


class WriteRateLimitMiddleware:
    """Every page write (form POST) counts against the client's write budget; over it the
    request is refused with 429 before any view runs, so nothing is written."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in UNSAFE_METHODS and not request.path_info.startswith(WRITE_LIMIT_EXEMPT_PREFIXES):
            from django.http import HttpResponse
            from django.utils.translation import gettext as _

            from aftersales.core import ratelimit

            try:
                ratelimit.hit("write", ratelimit.client_ident(request))
            except ratelimit.RateLimited as exc:
                message = _("Too many changes in a short time; try again in %(seconds)d s.") % {"seconds": exc.retry_after}
                response = HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
                response["Retry-After"] = str(exc.retry_after)
                return response
        return self.get_response(request)
