from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_dates(apps, schema_editor):
    Participant = apps.get_model("ledger", "Participant")
    Record = apps.get_model("ledger", "Record")
    Participant.objects.update(occurred_on=Subquery(Record.objects.filter(pk=OuterRef("record_id")).values("occurred_on")[:1]))


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_queue_indexes")]

    operations = [
        migrations.AddField(model_name="participant", name="occurred_on", field=models.DateField(null=True, verbose_name="日期")),
        migrations.RunPython(copy_dates, migrations.RunPython.noop),
        migrations.AlterField(model_name="participant", name="occurred_on", field=models.DateField(verbose_name="日期")),
        migrations.RemoveIndex(model_name="participant", name="ledger_part_person__9beea6_idx"),
        migrations.AddIndex(
            model_name="participant",
            index=models.Index(fields=["person", "occurred_on", "record"], name="ledger_participant_timeline"),
        ),
    ]
