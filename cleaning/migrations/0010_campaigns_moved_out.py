from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("cleaning", "0009_batch_attempts"),
        ("campaigns", "0001_campaigns_moved_here"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="MilestoneDone"),
                migrations.DeleteModel(name="Milestone"),
                migrations.DeleteModel(name="Campaign"),
            ],
            database_operations=[],
        ),
    ]
