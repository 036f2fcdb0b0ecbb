from django.contrib.auth.management import create_permissions
from django.db import migrations


def create_hr_group(apps, schema_editor):
    # Permissions are normally made after all migrations; the group needs its permission now.
    app_config = apps.get_app_config("reviews")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="HR")
    group.permissions.add(
        Permission.objects.get(content_type__app_label="reviews", codename="manage_cases")
    )


def remove_hr_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="HR").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_hr_group, remove_hr_group)]
