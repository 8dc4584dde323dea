"""Base models shared by every app, and the append-only audit log."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # The lookup from this model to the Customer that owns it, used by `scoped()`.
    # "" means the model is itself the customer; None means it belongs to nobody (a catalog).
    customer_scope: str | None = None
    # The field a multi-field unique constraint's error belongs to (e.g. "serial" for
    # product+serial), so forms, API and imports show it beside that field.
    unique_error_field: str | None = None

    class Meta:
        abstract = True

    def validate_constraints(self, exclude=None):
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as exc:
            if not self.unique_error_field or not hasattr(exc, "error_dict"):
                raise
            errors = dict(exc.error_dict)
            general = errors.pop(NON_FIELD_ERRORS, [])
            moved = [e for e in general if e.code == "unique_together"]
            kept = [e for e in general if e.code != "unique_together"]
            if moved:
                errors.setdefault(self.unique_error_field, []).extend(moved)
            if kept:
                errors[NON_FIELD_ERRORS] = kept
            raise ValidationError(errors) from exc


class AuditAction(models.TextChoices):
    CREATE = "create", _("Create")
    UPDATE = "update", _("Update")
    DELETE = "delete", _("Delete")


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or remove an audit record."""


class AuditLogQuerySet(models.QuerySet):
    def update(self, **kwargs):  # noqa: ARG002
        raise AppendOnlyError("The audit log is append-only.")

    def delete(self):
        raise AppendOnlyError("The audit log is append-only.")


class AuditLog(models.Model):
    """Who changed what, when, with the object's fields before and after.

    Append-only in three layers: the model refuses saves of existing rows and deletes,
    the queryset refuses bulk update/delete, and database triggers refuse UPDATE/DELETE.
    """

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+", db_constraint=False,
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=AuditAction.choices)
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=255)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)

    objects = AuditLogQuerySet.as_manager()
    # save() below only refuses to change an existing record; inserting new ones in bulk
    # (aftersales.core.rows.insert_rows) keeps the rule.
    rows_insert_ok = True

    class Meta:
        ordering = ["-at", "-id"]
        # One index answers "the history of this object" and "every record of this type".
        indexes = [models.Index(fields=["object_type", "object_id"], name="auditlog_object")]
        verbose_name = _("audit record")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The audit log is append-only.")

    @property
    def changes(self) -> list[tuple[str, object, object]]:
        """(field, before, after) for every field whose value differs."""
        before, after = self.before or {}, self.after or {}
        keys = sorted(set(before) | set(after))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


class ScheduledJob(models.Model):
    """A time-driven job run by `aftersales worker` when `next_run_at` has passed.

    Workers claim a due row with SELECT ... FOR UPDATE SKIP LOCKED (PostgreSQL) or under
    SQLite's single writer lock, move `next_run_at` forward and commit before running it,
    so two workers never run the same job at the same time. The jobs themselves are
    idempotent by unique keys, so a worker killed mid-way loses nothing and repeats nothing.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    interval_seconds = models.PositiveIntegerField(_("interval in seconds"))
    next_run_at = models.DateTimeField(_("next run at"), db_index=True)
    last_started_at = models.DateTimeField(_("last started at"), null=True, blank=True)
    last_finished_at = models.DateTimeField(_("last finished at"), null=True, blank=True)
    last_worker = models.CharField(_("last worker"), max_length=100, blank=True)
    last_result = models.TextField(_("last result"), blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("scheduled job")
        verbose_name_plural = _("scheduled jobs")

    def __str__(self) -> str:
        return self.name


class RateCounter(models.Model):
    """One fixed-window rate-limit counter per scope and client ("write:user:4"), counted
    by one INSERT ... ON CONFLICT DO UPDATE ... RETURNING (`aftersales.core.ratelimit`).
    Unlogged on PostgreSQL: counters are worth nothing after a crash, and skipping the
    write-ahead log keeps a counted request from waiting for a disk flush."""

    key = models.CharField(max_length=200, primary_key=True)
    window_start = models.BigIntegerField()
    count = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("rate-limit counter")
        verbose_name_plural = _("rate-limit counters")

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"


class DataVersion(models.Model):
    """The current version token of a group of configuration tables ("calendars",
    "routing"), changed by database triggers on every write to them; processes cache what
    they build from those tables against it (`aftersales.core.dataversion`)."""

    name = models.CharField(max_length=50, primary_key=True)
    token = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("data version")
        verbose_name_plural = _("data versions")

    def __str__(self) -> str:
        return f"{self.name}: {self.token}"
