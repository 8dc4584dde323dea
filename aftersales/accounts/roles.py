"""What each role may do, as Django permission strings ("app_label.action_model").

This table is the single source of truth: the RoleBackend answers `user.has_perm()` from
it, so pages, API endpoints and the admin all ask the same question.
"""

from __future__ import annotations

from aftersales.accounts.choices import Role

ARCHIVE_MODELS = {
    "customers": ["customer", "site", "contact", "contract", "contractitem", "contractdocument"],
    "assets": ["product", "component", "equipment", "equipmentchange", "warrantyterm", "warrantycard"],
}


def perms(actions: str, models: dict[str, list[str]] | None = None, only: list[str] | None = None) -> set[str]:
    models = models or ARCHIVE_MODELS
    result = set()
    for app_label, names in models.items():
        for name in names:
            if only is not None and name not in only:
                continue
            for action in actions.split():
                result.add(f"{app_label}.{action}_{name}")
    return result


VIEW_ALL = perms("view")
FIELD_CHANGES = perms("view add change", only=["equipment", "equipmentchange", "contact"])
SALES_CHANGES = perms("view add change", only=["customer", "site", "contact", "contract", "contractitem", "contractdocument", "warrantyterm", "warrantycard"])

ROLE_PERMISSIONS: dict[str, set[str]] = {
    # Administrators get everything (see RoleBackend); listed for completeness.
    Role.ADMINISTRATOR: perms("view add change delete") | {"core.view_auditlog"},
    Role.SERVICE_MANAGER: perms("view add change delete"),
    # Each role its own set: the `|=` additions below must not leak from one role to another.
    Role.VICE_PRESIDENT: set(VIEW_ALL),
    Role.SERVICE_DESK: VIEW_ALL | perms("view add change", only=["contact"]),
    Role.DISPATCHER: set(VIEW_ALL),
    Role.FIELD_ENGINEER: VIEW_ALL | FIELD_CHANGES,
    Role.WAREHOUSE: VIEW_ALL | perms("view add change", only=["product", "component"]),
    Role.QUALITY: set(VIEW_ALL),
    Role.SALES: VIEW_ALL | SALES_CHANGES,
    # Customer users read their own organisation's archives (scoping narrows every query).
    Role.CUSTOMER: perms("view", only=["customer", "site", "contact", "contract", "contractitem", "contractdocument", "product", "component", "equipment", "equipmentchange", "warrantyterm", "warrantycard"]),
}

# Working days and service calendars: administrators manage them, service managers read them.
CALENDAR_MODELS = {"calendars": ["calendarday", "calendaryear", "servicecalendar", "servicehours"]}
ROLE_PERMISSIONS[Role.ADMINISTRATOR] |= perms("view add change delete", CALENDAR_MODELS)
ROLE_PERMISSIONS[Role.SERVICE_MANAGER] |= perms("view", CALENDAR_MODELS)

# Service requests (tickets): the desk registers them, dispatchers and engineers work them,
# managers run everything, the VP watches; customer users open and follow their own.
TICKET_MODELS = {"tickets": ["ticket", "gradechange", "ticketevent", "slatarget", "slapause", "escalation"]}
TICKET_SETUP_MODELS = {"tickets": ["servicegroup", "routingrule"]}
ALL_TICKET_MODELS = {"tickets": TICKET_MODELS["tickets"] + TICKET_SETUP_MODELS["tickets"]}
ROLE_PERMISSIONS[Role.ADMINISTRATOR] |= perms("view add change delete", ALL_TICKET_MODELS)
ROLE_PERMISSIONS[Role.SERVICE_MANAGER] |= perms("view add change delete", ALL_TICKET_MODELS)
ROLE_PERMISSIONS[Role.VICE_PRESIDENT] |= perms("view", TICKET_MODELS) | perms("view", TICKET_SETUP_MODELS)
ROLE_PERMISSIONS[Role.SERVICE_DESK] |= perms("view add change", TICKET_MODELS) | perms("view", TICKET_SETUP_MODELS)
ROLE_PERMISSIONS[Role.DISPATCHER] |= perms("view change", TICKET_MODELS) | perms("view", TICKET_SETUP_MODELS)
ROLE_PERMISSIONS[Role.FIELD_ENGINEER] |= perms("view change", TICKET_MODELS) | perms("view", TICKET_SETUP_MODELS)
# Engineers register what they find on site (the console defaults the channel to "on site").
ROLE_PERMISSIONS[Role.FIELD_ENGINEER] |= {"tickets.add_ticket"}
ROLE_PERMISSIONS[Role.CUSTOMER] |= perms("view add", only=["ticket"], models=TICKET_MODELS) | perms("view", TICKET_MODELS, only=["gradechange", "ticketevent", "slatarget"])
# Attachments (photos, logs): whoever works tickets adds and reads them, customer users on
# their own tickets too (scoping narrows); managers and administrators also delete them.
ATTACHMENT_MODELS = {"tickets": ["ticketattachment"]}
ROLE_PERMISSIONS[Role.ADMINISTRATOR] |= perms("view add change delete", ATTACHMENT_MODELS)
ROLE_PERMISSIONS[Role.SERVICE_MANAGER] |= perms("view add change delete", ATTACHMENT_MODELS)
ROLE_PERMISSIONS[Role.VICE_PRESIDENT] |= perms("view", ATTACHMENT_MODELS)
for _role in (Role.SERVICE_DESK, Role.DISPATCHER, Role.FIELD_ENGINEER, Role.CUSTOMER):
    ROLE_PERMISSIONS[_role] |= perms("view add", ATTACHMENT_MODELS)

# The customer portal is for customer users only: staff (administrators included) work
# requests on the agents' pages, so the portal's menu item and pages are not theirs.
CUSTOMER_ONLY_PERMISSIONS = frozenset({"portal.customer_portal"})
ROLE_PERMISSIONS[Role.CUSTOMER] |= CUSTOMER_ONLY_PERMISSIONS

# E-mail intake: the desk, service managers and administrators work triage; only managers
# and administrators open the quarantine and download raw messages.
MAILIN_MODELS = {"mailin": ["inboundmail"]}
ROLE_PERMISSIONS[Role.ADMINISTRATOR] |= perms("view add change delete", MAILIN_MODELS) | {"mailin.view_quarantine"}
ROLE_PERMISSIONS[Role.SERVICE_MANAGER] |= perms("view add change delete", MAILIN_MODELS) | {"mailin.view_quarantine"}
ROLE_PERMISSIONS[Role.SERVICE_DESK] |= perms("view change", MAILIN_MODELS)

# Notifications: administrators and service managers read the outbox, retry failed
# messages and manage the webhook endpoints.
NOTIFICATION_MODELS = {"notifications": ["notification", "webhookendpoint"]}
ROLE_PERMISSIONS[Role.ADMINISTRATOR] |= perms("view add change delete", NOTIFICATION_MODELS)
ROLE_PERMISSIONS[Role.SERVICE_MANAGER] |= perms("view add change delete", NOTIFICATION_MODELS)

STAFF_ROLES = [r for r in Role if r != Role.CUSTOMER]


def role_permissions(role: str) -> frozenset[str]:
    return frozenset(ROLE_PERMISSIONS.get(role, set()))
