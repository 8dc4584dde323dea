"""The 50 / 75 / 100 % warnings move from three Escalation rows per target onto the target
itself (decision 0016): the instants, the last percentage fired and the next one due. Fired
warnings stay fired; pending ones keep their instant; then the Escalation table goes."""

from itertools import groupby

from django.db import migrations, models

BATCH = 2000


def copy_warnings(apps, schema_editor):
    Escalation = apps.get_model("tickets", "Escalation")
    SlaTarget = apps.get_model("tickets", "SlaTarget")
    rows = (Escalation.objects.order_by("target_id", "threshold")
            .values_list("target_id", "threshold", "due_at", "fired_at").iterator(chunk_size=BATCH))
    changed = []
    fields = ["warn_half_at", "warn_three_quarters_at", "warned_percent", "warning_due_at"]
    for target_id, group in groupby(rows, key=lambda row: row[0]):
        group = list(group)
        due = {threshold: due_at for _, threshold, due_at, _ in group}
        fired = max((threshold for _, threshold, _, fired_at in group if fired_at is not None), default=0)
        pending = [due_at for _, threshold, due_at, fired_at in group if fired_at is None and threshold > fired]
        changed.append(SlaTarget(pk=target_id, warn_half_at=due.get(50), warn_three_quarters_at=due.get(75),
                                 warned_percent=fired, warning_due_at=min(pending, default=None)))
        if len(changed) >= BATCH:
            SlaTarget.objects.bulk_update(changed, fields)
            changed = []
    if changed:
        SlaTarget.objects.bulk_update(changed, fields)


class Migration(migrations.Migration):

    dependencies = [
        ('tickets', '0006_fewer_write_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='slatarget',
            name='warn_half_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='50 % warning at'),
        ),
        migrations.AddField(
            model_name='slatarget',
            name='warn_three_quarters_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='75 % warning at'),
        ),
        migrations.AddField(
            model_name='slatarget',
            name='warned_percent',
            field=models.PositiveSmallIntegerField(default=0, editable=False, help_text='The share of the time (per cent) at which the last warning went out; 0: none yet.', verbose_name='last warning sent'),
        ),
        migrations.AddField(
            model_name='slatarget',
            name='warning_due_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='next warning due at'),
        ),
        migrations.AddIndex(
            model_name='slatarget',
            index=models.Index(condition=models.Q(('warning_due_at__isnull', False)), fields=['warning_due_at'], name='slatarget_warning_due'),
        ),
        migrations.RunPython(copy_warnings, migrations.RunPython.noop, elidable=True),
        migrations.DeleteModel(
            name='Escalation',
        ),
    ]
