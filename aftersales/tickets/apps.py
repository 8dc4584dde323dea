from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "aftersales.tickets"
    label = "tickets"
    verbose_name = _("Service requests")

    def ready(self) -> None:
        # Connects the receiver that recomputes open tickets' due times after a calendar change.
        from aftersales.tickets import recompute  # noqa: F401
