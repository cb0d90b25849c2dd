"""Staged rows leave room on their pages for the review's rewrites (PostgreSQL).

The review rewrites many staged rows: accepting a rule, setting rows aside, editing one. A
rewrite that fits on its row's page, and changes no indexed column, is a heap-only update:
no new entry in the table's three indexes. Written full by COPY, the pages had no room, and
2,681 of the city's 143,805 rewrites were heap-only.
"""

from django.db import migrations


def _fillfactor(percent):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE cleaning_batchrow SET (fillfactor = {percent})")

    return run


class Migration(migrations.Migration):
    dependencies = [("cleaning", "0006_batch_lease")]

    operations = [migrations.RunPython(_fillfactor(75), _fillfactor(100), elidable=False)]
