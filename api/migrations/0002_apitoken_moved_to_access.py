from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0001_api_tokens"),
        ("access", "0001_grants_and_tokens_moved_here"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ApiToken")], database_operations=[]
        ),
    ]
