"""Campaign, Milestone and MilestoneDone move from cleaning to campaigns: in Django's state only.

Their tables keep their names (Meta.db_table); cleaning's next migration deletes them from its
state after this one creates them here.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("cleaning", "0009_batch_attempts"),
        ("orgs", "0003_load_admin_units"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Campaign",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("name", models.CharField(max_length=255, verbose_name="tên đợt")),
                        ("unit_depth", models.PositiveSmallIntegerField(default=1)),
                        ("starts_on", models.DateField(verbose_name="bắt đầu")),
                        ("ends_on", models.DateField(verbose_name="kết thúc")),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("created_by", models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("root", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="campaigns", to="orgs.org")),
                    ],
                    options={"db_table": "cleaning_campaign"},
                ),
                migrations.CreateModel(
                    name="Milestone",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("order", models.PositiveSmallIntegerField()),
                        ("name", models.CharField(max_length=255, verbose_name="mốc")),
                        ("due_on", models.DateField(verbose_name="hạn")),
                        ("condition", models.CharField(choices=[("submitted", "Đã rà soát, làm sạch và gửi dữ liệu, không còn lỗi chặn"), ("published", "Dữ liệu đã tổng hợp và đồng bộ sang Sổ tay đảng viên"), ("meeting_held", "Mọi chi bộ đã sinh hoạt trên Sổ tay đảng viên")], max_length=16)),
                        ("campaign", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="milestones", to="campaigns.campaign")),
                    ],
                    options={
                        "db_table": "cleaning_milestone",
                        "ordering": ["order"],
                        "constraints": [models.UniqueConstraint(fields=("campaign", "order"), name="milestone_campaign_order")],
                    },
                ),
                migrations.CreateModel(
                    name="MilestoneDone",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("done_at", models.DateTimeField()),
                        ("on_time", models.BooleanField()),
                        ("milestone", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="done", to="campaigns.milestone")),
                        ("unit", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="orgs.org")),
                    ],
                    options={
                        "db_table": "cleaning_milestonedone",
                        "constraints": [models.UniqueConstraint(fields=("milestone", "unit"), name="milestonedone_once")],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
