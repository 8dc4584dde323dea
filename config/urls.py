from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path

from aftersales.core.views import home
from config.api import api


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


# Patterns are tried in order: the API, which machines call most, comes first.
urlpatterns = [
    path("api/v1/", api.urls),
    path("", home, name="home"),
    path("core/", include("aftersales.core.urls")),
    path("accounts/", include("aftersales.accounts.urls")),
    path("customers/", include("aftersales.customers.urls")),
    path("assets/", include("aftersales.assets.urls")),
    path("calendars/", include("aftersales.calendars.urls")),
    path("tickets/", include("aftersales.tickets.urls")),
    path("notifications/", include("aftersales.notifications.urls")),
    path("mail/", include("aftersales.mailin.urls")),
    path("portal/", include("aftersales.portal.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", healthz),
]
