# The action's choices leave the migrations (audit.models.ActionField). Only the state changes: the
# column is the same, and SQLite must not rebuild the table (that would drop 0003's append-only triggers).

import xuebi.audit.models
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0007_alter_auditentry_action'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='auditentry',
                    name='action',
                    field=xuebi.audit.models.ActionField(db_index=True, max_length=40, verbose_name='操作'),
                ),
            ],
        ),
    ]
