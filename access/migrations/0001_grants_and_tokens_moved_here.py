"""Grant (from accounts) and ApiToken (from api) move to access: in Django's state only.

Their tables keep their names (Meta.db_table), so nothing in the database changes: the old apps'
migrations delete the models from their state after this one creates them here.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0002_initial"),
        ("api", "0001_api_tokens"),
        ("orgs", "0003_load_admin_units"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Grant",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("role", models.CharField(choices=[("viewer", "Xem"), ("editor", "Cập nhật"), ("approver", "Phê duyệt"), ("admin", "Quản trị")], max_length=16, verbose_name="vai trò")),
                        ("granted_at", models.DateTimeField()),
                        ("expires_at", models.DateTimeField(blank=True, null=True, verbose_name="hết hạn")),
                        ("revoked_at", models.DateTimeField(blank=True, null=True)),
                        ("granted_by", models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="grants_given", to=settings.AUTH_USER_MODEL)),
                        ("org", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="grants", to="orgs.org")),
                        ("revoked_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="grants", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "db_table": "accounts_grant",
                        "indexes": [models.Index(fields=["user", "revoked_at"], name="grant_user_active")],
                    },
                ),
                migrations.CreateModel(
                    name="ApiToken",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("name", models.CharField(max_length=100, verbose_name="tên")),
                        ("can_write", models.BooleanField(default=False, verbose_name="được ghi")),
                        ("prefix", models.CharField(max_length=16)),
                        ("digest", models.CharField(max_length=64, unique=True)),
                        ("created_at", models.DateTimeField()),
                        ("expires_at", models.DateTimeField(verbose_name="hết hạn")),
                        ("revoked_at", models.DateTimeField(blank=True, null=True)),
                        ("last_used_at", models.DateTimeField(blank=True, null=True)),
                        ("created_by", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("org", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="api_tokens", to="orgs.org", verbose_name="tổ chức")),
                        ("revoked_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={"db_table": "api_apitoken"},
                ),
            ],
            database_operations=[],
        ),
    ]
