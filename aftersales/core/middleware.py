from __future__ import annotations

from django.conf import settings
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.middleware.common import CommonMiddleware
from django_htmx.middleware import HtmxMiddleware

PUBLIC_PREFIXES = ("/accounts/login/", "/accounts/password-reset/", "/accounts/reset/", "/static/", "/api/",
                   "/i18n/", "/healthz", "/admin/")
API_PREFIX = "/api/"


def is_token_api_request(request) -> bool:
    """A call to the API that authenticates with `Authorization: Bearer ...`: it never uses
    the session, so the middleware that serves pages (session, messages, htmx, slash
    redirects) has nothing to do for it."""
    return request.path_info.startswith(API_PREFIX) and request.META.get("HTTP_AUTHORIZATION", "")[:7].lower() == "bearer "


def _pages_only(middleware: type) -> type:
    """`middleware` for everything but token API calls, which pass by it (about a tenth of
    an API write's Python time went through page middleware; bench/RESULTS.md)."""

    class PagesOnly(middleware):
        def __call__(self, request):
            if is_token_api_request(request):
                return self.get_response(request)
            return super().__call__(request)

    PagesOnly.__name__ = PagesOnly.__qualname__ = f"PagesOnly{middleware.__name__}"
    PagesOnly.__doc__ = f"{middleware.__module__}.{middleware.__name__}, skipped by token API calls."
    return PagesOnly


PagesOnlySessionMiddleware = _pages_only(SessionMiddleware)
PagesOnlyCommonMiddleware = _pages_only(CommonMiddleware)
PagesOnlyMessageMiddleware = _pages_only(MessageMiddleware)
PagesOnlyHtmxMiddleware = _pages_only(HtmxMiddleware)


class PagesOnlyAuthenticationMiddleware(AuthenticationMiddleware):
    """The session's user for pages; a token API call starts anonymous and is authenticated
    by its token alone (a session cookie sent beside a bearer token is never used)."""

    def __call__(self, request):
        if is_token_api_request(request):
            request.user = AnonymousUser()
            return self.get_response(request)
        return super().__call__(request)


class LoginRequiredMiddleware:
    """Pages need a logged-in user unless listed as public. The API authenticates itself
    (session or bearer token) and the admin has its own login."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if not path.startswith(PUBLIC_PREFIXES) and not request.user.is_authenticated:
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
