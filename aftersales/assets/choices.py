from django.db import models
from django.utils.translation import gettext_lazy as _


class ProductCategory(models.TextChoices):
    NETWORK_SECURITY = "network_security", _("Network security appliance")
    NETWORK = "network", _("Network equipment")
    SERVER = "server", _("Server and storage")
    BUILDING = "building", _("Building system")
    LIGHTING = "lighting", _("Lighting system")
    INDUSTRIAL = "industrial", _("Industrial equipment")
    SOFTWARE = "software", _("Software")


class EquipmentStatus(models.TextChoices):
    IN_SERVICE = "in_service", _("In service")
    IN_REPAIR = "in_repair", _("In repair")
    OUT_OF_SERVICE = "out_of_service", _("Out of service")
    RETIRED = "retired", _("Retired")


class ChangeKind(models.TextChoices):
    SOFTWARE = "software", _("Software version")
    CONFIGURATION = "configuration", _("Configuration")


class NoticeKind(models.IntegerChoices):
    DAYS_90 = 90, _("90 days before the warranty ends")
    DAYS_30 = 30, _("30 days before the warranty ends")
