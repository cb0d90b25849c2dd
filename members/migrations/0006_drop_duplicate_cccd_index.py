"""Drop member_cccd_prefix: Django's own index for the unique CCCD column on PostgreSQL
(members_member_cccd_…_like, varchar_pattern_ops) is the same index, and every import paid for
both."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS member_cccd_prefix")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS member_cccd_prefix ON members_member (cccd varchar_pattern_ops)"
        )


class Migration(migrations.Migration):
    dependencies = [("members", "0005_search_vector")]

    operations = [migrations.RunPython(forwards, backwards, elidable=True)]
