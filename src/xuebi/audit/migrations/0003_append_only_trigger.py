"""On PostgreSQL, refuse UPDATE and DELETE of audit rows in the database itself.

The application never changes an audit row (AuditEntry.save/delete refuse too); this trigger
also stops anyone who reaches the table with SQL through the application's connection.
SQLite has no such guard beyond the model; production runs on PostgreSQL.
TRUNCATE is left to the database owner (the test runner empties tables with it); a deployment
grants the application role no TRUNCATE on this table (docs/deployment.md).
"""
from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION xuebi_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '操作日志只能追加，不能修改或删除 (audit_auditentry is append-only)';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_append_only ON audit_auditentry;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION xuebi_audit_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS audit_append_only ON audit_auditentry;
DROP FUNCTION IF EXISTS xuebi_audit_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
