"""SQLite: a full-text index of what the member list filters on, kept by triggers.

Without it SQLite answered a search by reading members in name order (index member_sort) and
testing each row until a page was found: at once for a common name, but the whole table for a
rare or absent one, whatever the subtree (1.1-1.6 s on the demo city, 365,911 members).

`members_member_search` (FTS5) holds one row per member, with the member's id as rowid and as
words: "~" + org_path, "~" + status (without "_"), "~" + sex, then the words of the folded name
(search_name after its first space), and one more "~" when that name has a character outside
" "…"}" (a letter that is not ASCII, "~" itself). With "~" a word character, the marked words
can never be words of a name, and for a name of ASCII characters the tokenizer's words are
exactly members.search's (runs of [a-z0-9]); a marked name is checked by members.search itself.
Prefix indexes: 1-6 characters for the typed start of a name word, 5, 9 and 13 for the paths of
the root, a province and the level under it (deeper subtrees are small, so merging their paths'
words costs little).

The triggers follow every write of org_path, status, sex or search_name, whichever code makes
it (a member's services, a bulk transfer, an organisation moved, an import's INSERT … SELECT).
PostgreSQL has its own index (0005) and gets nothing here.
"""

from django.db import migrations

WORDS = (
    "'~' || {row}.org_path"
    " || ' ~' || replace({row}.status, '_', '')"
    " || ' ~' || {row}.sex"
    " || ' ' || substr({row}.search_name, instr({row}.search_name, ' ') + 1)"
    " || CASE WHEN substr({row}.search_name, instr({row}.search_name, ' ') + 1)"
    " GLOB '*[^ -}}]*' THEN ' ~' ELSE '' END"
)

CREATE = [
    "CREATE VIRTUAL TABLE members_member_search USING fts5(words,"
    " tokenize = \"unicode61 tokenchars '~'\", prefix = '1 2 3 4 5 6 9 13',"
    " detail = none, columnsize = 0)",
    "CREATE TRIGGER members_member_search_insert AFTER INSERT ON members_member BEGIN"
    " INSERT INTO members_member_search (rowid, words)"
    f" VALUES (new.id, {WORDS.format(row='new')}); END",
    "CREATE TRIGGER members_member_search_update"
    " AFTER UPDATE OF org_path, status, sex, search_name ON members_member"
    " WHEN old.org_path IS NOT new.org_path OR old.status IS NOT new.status"
    " OR old.sex IS NOT new.sex OR old.search_name IS NOT new.search_name BEGIN"
    " DELETE FROM members_member_search WHERE rowid = old.id;"
    " INSERT INTO members_member_search (rowid, words)"
    f" VALUES (new.id, {WORDS.format(row='new')}); END",
    "CREATE TRIGGER members_member_search_delete AFTER DELETE ON members_member BEGIN"
    " DELETE FROM members_member_search WHERE rowid = old.id; END",
    "INSERT INTO members_member_search (rowid, words)"
    f" SELECT id, {WORDS.format(row='members_member')} FROM members_member",
]

DROP = [
    "DROP TRIGGER IF EXISTS members_member_search_insert",
    "DROP TRIGGER IF EXISTS members_member_search_update",
    "DROP TRIGGER IF EXISTS members_member_search_delete",
    "DROP TABLE IF EXISTS members_member_search",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in CREATE:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("members", "0011_member_birth_index")]
    operations = [migrations.RunPython(forwards, backwards)]
