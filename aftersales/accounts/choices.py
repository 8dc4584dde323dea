from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    SERVICE_MANAGER = "service_manager", _("Service manager")
    VICE_PRESIDENT = "vice_president", _("After-sales vice-president")
    SERVICE_DESK = "service_desk", _("Service-desk agent")
    DISPATCHER = "dispatcher", _("Dispatcher")
    FIELD_ENGINEER = "field_engineer", _("Field engineer")
    WAREHOUSE = "warehouse", _("Warehouse keeper")
    QUALITY = "quality", _("Quality officer")
    SALES = "sales", _("Sales")
    CUSTOMER = "customer", _("Customer user")
