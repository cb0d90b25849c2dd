"""A staged row keeps its text as typed only where it differs from its values.

`original` held every field as typed; it now holds `lib.cleaning.typed.typed_delta` of it (the
fields whose typed text differs from the value, and null for a value nobody typed). Rows
staged before are converted, on PostgreSQL in one statement, elsewhere row by row.
"""

from django.db import migrations

from lib.cleaning.typed import typed_delta, typed_from

_TO_DELTA = """
UPDATE cleaning_batchrow r SET original =
    COALESCE((SELECT jsonb_object_agg(k, r.original->k) FROM jsonb_object_keys(r.original) k
              WHERE r."values"->k IS DISTINCT FROM r.original->k), '{}'::jsonb)
    || COALESCE((SELECT jsonb_object_agg(k, 'null'::jsonb) FROM jsonb_object_keys(r."values") k
                 WHERE NOT r.original ? k), '{}'::jsonb)
"""

_TO_WHOLE = """
UPDATE cleaning_batchrow r SET original = jsonb_strip_nulls(r."values" || r.original)
"""


def _convert(sql, convert):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)
            return
        BatchRow = apps.get_model("cleaning", "BatchRow")
        changed = []
        for row in BatchRow.objects.only("original", "values").iterator(chunk_size=2000):
            row.original = convert(row.original, row.values)
            changed.append(row)
            if len(changed) == 2000:
                BatchRow.objects.bulk_update(changed, ["original"])
                changed = []
        BatchRow.objects.bulk_update(changed, ["original"])

    return run


class Migration(migrations.Migration):
    dependencies = [("cleaning", "0007_batchrow_fillfactor")]

    operations = [
        migrations.RunPython(
            _convert(_TO_DELTA, lambda typed, values: typed_delta(typed, values)),
            _convert(_TO_WHOLE, lambda delta, values: typed_from(delta, values)),
            elidable=False,
        )
    ]
