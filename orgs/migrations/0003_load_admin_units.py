"""Reference data: the 34 provinces and 3,321 communes of 1 July 2025, from vietnam-provinces."""

from django.db import migrations


def forwards(apps, schema_editor):
    from vietnam_provinces import Province, Ward

    AdminUnit = apps.get_model("orgs", "AdminUnit")
    rows = [
        AdminUnit(level="province", code=int(p.code), name=p.name, division_type=str(p.division_type.value), province_code=int(p.code))
        for p in Province.iter_all()
    ]
    rows += [
        AdminUnit(level="commune", code=int(w.code), name=w.name, division_type=str(w.division_type.value), province_code=int(w.province_code))
        for w in Ward.iter_all()
    ]
    AdminUnit.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)


def backwards(apps, schema_editor):
    apps.get_model("orgs", "AdminUnit").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("orgs", "0002_path_prefix_index_postgresql")]
    operations = [migrations.RunPython(forwards, backwards)]
