"""Name search by words within a subtree (members.search), without a table rewrite.

PostgreSQL: member_search_vector(search_name) turns "PATH folded name" into exact tokens: "/" +
each ancestor's path, each word of the name (runs of [a-z0-9]) and ">" + each start of each word
(the typed start of the last word of a search is then one token, not a prefix match over every
word that starts with it). Two expression indexes are built from the rows as they are:

- member_search: GIN over (left(org_path, 8), member_search_vector(search_name)), the first
  column by btree_gin, so "in this province, with these words" is one GIN scan;
- member_top_sort: B-tree over (left(org_path, 8), sort_key), a province's members in name order
  (ties by id are an incremental sort), for names so common that reading them in order finds a
  page at once. Without id its equal keys are deduplicated: 171 MB instead of 405 MB nationally.

They replace the trigram index, whose path trigrams ("000") matched nearly every member.

SQLite: members.search takes the subtree as a range of org_path and each word as LIKE and REGEXP;
an index on org_path makes a ward's search read the ward's rows only.
"""

from django.db import migrations

FUNCTION = r"""
CREATE OR REPLACE FUNCTION member_search_vector(search_name text) RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    path text := split_part(search_name, ' ', 1);
    words text[] := array_remove(string_to_array(regexp_replace(
        substr(search_name, strpos(search_name, ' ') + 1), '[^a-z0-9]+', ' ', 'g'), ' '), '');
    tokens text[] := words;
    word text;
BEGIN
    FOR i IN 1 .. length(path) / 4 LOOP
        tokens := tokens || ('/' || left(path, 4 * i));
    END LOOP;
    FOREACH word IN ARRAY words LOOP
        FOR k IN 1 .. length(word) LOOP
            tokens := tokens || ('>' || left(word, k));
        END LOOP;
    END LOOP;
    RETURN array_to_tsvector(tokens);
END
$$
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("CREATE INDEX IF NOT EXISTS member_org_path ON members_member (org_path)")
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    schema_editor.execute(FUNCTION)
    # A GIN build over millions of rows is several times faster with room to sort in memory.
    schema_editor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS member_search ON members_member "
        "USING gin (left(org_path, 8), member_search_vector(search_name))"
    )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS member_top_sort ON members_member (left(org_path, 8), sort_key)"
    )
    schema_editor.execute("DROP INDEX IF EXISTS member_search_trgm")
    # The planner's estimates for both parts of a search come from the indexes' statistics.
    schema_editor.execute("ANALYZE members_member")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP INDEX IF EXISTS member_org_path")
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS member_search_trgm ON members_member USING gin (search_name gin_trgm_ops)"
    )
    schema_editor.execute("DROP INDEX IF EXISTS member_top_sort")
    schema_editor.execute("DROP INDEX IF EXISTS member_search")
    schema_editor.execute("DROP FUNCTION IF EXISTS member_search_vector(text)")


class Migration(migrations.Migration):
    dependencies = [("members", "0004_search_by_subtree")]
    operations = [migrations.RunPython(forwards, backwards)]
