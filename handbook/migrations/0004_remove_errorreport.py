from django.db import migrations


class Migration(migrations.Migration):
    """ErrorReport retires: its reports are correction requests now (0003)."""

    dependencies = [("handbook", "0003_error_reports_to_corrections")]

    operations = [migrations.DeleteModel(name="ErrorReport")]
