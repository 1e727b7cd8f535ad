"""One path for 组工信息: the ledger's record kind ``org_info`` is stopped where it exists, so no new
record of it is made; its records stay readable in the ledger (docs/decisions.md)."""

from django.db import migrations


def retire(apps, schema_editor):
    RecordKind = apps.get_model("ledger", "RecordKind")
    RecordKind.objects.filter(code="org_info", is_active=True).update(is_active=False)


class Migration(migrations.Migration):
    dependencies = [
        ("orginfo", "0001_initial"),
        ("ledger", "0001_initial"),
    ]

    operations = [migrations.RunPython(retire, migrations.RunPython.noop)]
