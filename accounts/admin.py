from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.levels import change_level
from accounts.models import LevelChange, User
from core import clock


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "name", "email", "job_title", "current_level", "is_active"]
    list_filter = ["current_level", "groups", "is_active", "is_staff"]
    search_fields = ["username", "name", "email"]
    list_select_related = ["current_level"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("Person", {"fields": ["name", "email", "job_title", "current_level"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["username", "name", "email", "password1", "password2"]}),
    ]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "current_level" in form.changed_data:
            change_level(
                user=obj,
                level=obj.current_level,
                since=clock.today(),
                reason=LevelChange.Reason.HR_EDIT,
                by=request.user,
            )
