"""On PostgreSQL, a trigram index makes `search_name LIKE '%…%'` fast over millions of members."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute("CREATE INDEX IF NOT EXISTS member_search_trgm ON members_member USING gin (search_name gin_trgm_ops)")
    schema_editor.execute("CREATE INDEX IF NOT EXISTS member_cccd_prefix ON members_member (cccd varchar_pattern_ops)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS member_search_trgm")
    schema_editor.execute("DROP INDEX IF EXISTS member_cccd_prefix")


class Migration(migrations.Migration):
    dependencies = [("members", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
