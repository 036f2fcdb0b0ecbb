from django.db import migrations


def forget_snapshots(apps, schema_editor):
    """Snapshots now keep when the latest item was logged and how many items the case has; those
    taken before do not. They are a cache of what the data gives: dropped, they are taken again
    by the next write to each case and by the hourly task, and until then each page computes
    readiness itself."""
    apps.get_model("reviews", "ReadinessSnapshot").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0014_evidence_case_created"),
    ]

    operations = [
        migrations.RunPython(forget_snapshots, migrations.RunPython.noop),
    ]
