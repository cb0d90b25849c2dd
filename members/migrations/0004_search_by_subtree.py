"""Members carry their organisation's path, and search text is "path name" (see search_text)."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # One pass over the table, with the trigram index rebuilt once afterwards: rewriting
        # every name under a live trigram index costs far more than building it again.
        schema_editor.execute("DROP INDEX IF EXISTS member_search_trgm")
        schema_editor.execute(
            "UPDATE members_member m SET org_path = o.path, search_name = o.path || ' ' || m.search_name "
            "FROM orgs_org o WHERE o.id = m.org_id"
        )
        schema_editor.execute("CREATE INDEX IF NOT EXISTS member_search_trgm ON members_member USING gin (search_name gin_trgm_ops)")
        schema_editor.execute("CREATE INDEX IF NOT EXISTS member_org_path_prefix ON members_member (org_path varchar_pattern_ops)")
        return
    schema_editor.execute("UPDATE members_member SET org_path = (SELECT path FROM orgs_org o WHERE o.id = org_id)")
    schema_editor.execute("UPDATE members_member SET search_name = org_path || ' ' || search_name")


def backwards(apps, schema_editor):
    schema_editor.execute("UPDATE members_member SET search_name = substr(search_name, length(org_path) + 2)")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS member_org_path_prefix")


class Migration(migrations.Migration):
    dependencies = [("members", "0003_member_org_path")]
    operations = [migrations.RunPython(forwards, backwards)]
