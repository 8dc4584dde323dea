from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


def apply_audit_purge_switch(connection, allowed: bool | None = None) -> None:
    """Tell the audit-log triggers on this connection whether DELETE may purge rows.

    Off everywhere but throw-away test databases (settings.AUDIT_PURGE_ALLOWED)."""
    from django.conf import settings

    if allowed is None:
        allowed = bool(getattr(settings, "AUDIT_PURGE_ALLOWED", False))
    if connection.vendor == "sqlite":
        connection.connection.create_function("aftersales_audit_purge_allowed", 0, lambda: int(allowed))
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('aftersales.audit_purge', %s, false)", ["on" if allowed else "off"])


def on_connection_created(sender, connection, **kwargs):
    apply_audit_purge_switch(connection)


class CoreConfig(AppConfig):
    name = "aftersales.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        connection_created.connect(on_connection_created, dispatch_uid="aftersales-audit-purge-switch")
