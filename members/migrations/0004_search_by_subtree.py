"""Members carry their organisation's path, and search text is "path name" (see search_text)."""

from django.db import migrations


def forwards(apps, schema_editor):
    quote = schema_editor.quote_name
    schema_editor.execute(
        f"UPDATE {quote('members_member')} SET org_path = (SELECT path FROM {quote('orgs_org')} o WHERE o.id = org_id)"
    )
    postgresql = schema_editor.connection.vendor == "postgresql"
    if postgresql:
        # Rewriting every name under a trigram index costs far more than building it again.
        schema_editor.execute("DROP INDEX IF EXISTS member_search_trgm")
    schema_editor.execute(
        f"UPDATE {quote('members_member')} SET search_name = org_path || ' ' || search_name"
    )
    if postgresql:
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS member_search_trgm ON members_member USING gin (search_name gin_trgm_ops)"
        )
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS member_org_path_prefix ON members_member (org_path varchar_pattern_ops)"
        )


def backwards(apps, schema_editor):
    quote = schema_editor.quote_name
    schema_editor.execute(
        f"UPDATE {quote('members_member')} SET search_name = substr(search_name, length(org_path) + 2)"
    )
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS member_org_path_prefix")


class Migration(migrations.Migration):
    dependencies = [("members", "0003_member_org_path")]
    operations = [migrations.RunPython(forwards, backwards)]
