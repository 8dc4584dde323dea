"""The two named calendars every contract can use: 5x8 and 7x24."""

import datetime

from django.db import migrations

FIVE_BY_EIGHT_OPENS = datetime.time(9, 30)
FIVE_BY_EIGHT_CLOSES = datetime.time(19, 30)


def create_named_calendars(apps, schema_editor):
    ServiceCalendar = apps.get_model("calendars", "ServiceCalendar")
    ServiceHours = apps.get_model("calendars", "ServiceHours")
    five_by_eight, created = ServiceCalendar.objects.get_or_create(
        code="5x8", defaults={"name": "工作日 09:30–19:30", "time_zone": "Asia/Shanghai",
                              "always_open": False, "uses_china_workdays": True})
    if created:
        ServiceHours.objects.bulk_create(
            ServiceHours(calendar=five_by_eight, weekday=weekday, opens=FIVE_BY_EIGHT_OPENS,
                         closes=FIVE_BY_EIGHT_CLOSES)
            for weekday in range(5))
    ServiceCalendar.objects.get_or_create(
        code="7x24", defaults={"name": "全天候", "time_zone": "Asia/Shanghai",
                               "always_open": True, "uses_china_workdays": False})


class Migration(migrations.Migration):
    dependencies = [("calendars", "0001_initial")]

    operations = [migrations.RunPython(create_named_calendars, migrations.RunPython.noop)]
