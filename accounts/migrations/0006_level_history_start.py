"""Give everyone who already holds a level the first row of their level history: that level,
from the day their account was made, since nothing earlier is known."""

from django.db import migrations
from django.utils import timezone


def start_histories(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    LevelChange = apps.get_model("accounts", "LevelChange")
    now = timezone.now()
    people = User.objects.filter(current_level__isnull=False, level_changes__isnull=True)
    rows = (
        LevelChange(
            user_id=user_id,
            level_id=level_id,
            since=timezone.localdate(joined),
            reason="start",
            recorded_at=now,
        )
        for user_id, level_id, joined in people.values_list(
            "pk", "current_level_id", "date_joined"
        ).iterator()
    )
    LevelChange.objects.bulk_create(rows, batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_level_change"),
    ]

    operations = [
        migrations.RunPython(start_histories, migrations.RunPython.noop),
    ]
