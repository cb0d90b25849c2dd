"""On PostgreSQL, let `path LIKE 'prefix%'` (a subtree) use an index whatever the database collation."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE INDEX IF NOT EXISTS org_path_prefix ON orgs_org (path varchar_pattern_ops)")
    schema_editor.execute("CREATE INDEX IF NOT EXISTS org_sort_name_prefix ON orgs_org (sort_name varchar_pattern_ops)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS org_path_prefix")
    schema_editor.execute("DROP INDEX IF EXISTS org_sort_name_prefix")


class Migration(migrations.Migration):
    dependencies = [("orgs", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
