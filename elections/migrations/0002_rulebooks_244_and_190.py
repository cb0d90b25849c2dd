"""The regulations' counting rules as settings: 244-QĐ/TW (2014) and 190-QĐ/TW (2024).

Never imports app code (a data migration outlives the models it was written against)."""

from datetime import date

from django.db import migrations

SUBTRACTED = ["temporary_out", "exempt_absent", "suspended"]

RULEBOOKS = [
    {
        "name": "Quy chế bầu cử trong Đảng (Quyết định 244-QĐ/TW ngày 09/6/2014)",
        "effective_from": date(2014, 6, 9),
        "max_surplus_percent": 30,
        "elected_above_percent": 50,
        "subtracted": SUBTRACTED,
        "blank_valid": False,
        "note": "Điều 17: phiếu không bầu ai trong danh sách có số dư là phiếu không hợp lệ.",
    },
    {
        "name": "Quy chế bầu cử trong Đảng (Quyết định 190-QĐ/TW ngày 10/10/2024)",
        "effective_from": date(2024, 10, 10),
        "max_surplus_percent": 30,
        "elected_above_percent": 50,
        "subtracted": SUBTRACTED,
        "blank_valid": False,
        "note": (
            "Điều 14: số dư tối đa không quá 30% số lượng cần bầu. Cách xét phiếu gạch hết tên "
            "giữ như Quyết định 244 (không hợp lệ) cho đến khi đối chiếu văn bản: xem "
            "docs/guide/bau-cu.md."
        ),
    },
]


def seed(apps, schema_editor):
    Rulebook = apps.get_model("elections", "Rulebook")
    for values in RULEBOOKS:
        Rulebook.objects.update_or_create(
            effective_from=values["effective_from"], defaults=values
        )


def unseed(apps, schema_editor):
    Rulebook = apps.get_model("elections", "Rulebook")
    Rulebook.objects.filter(effective_from__in=[r["effective_from"] for r in RULEBOOKS]).delete()


class Migration(migrations.Migration):
    dependencies = [("elections", "0001_voter_list_elections_ballots_rules")]

    operations = [migrations.RunPython(seed, unseed)]
