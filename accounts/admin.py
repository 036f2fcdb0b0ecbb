from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.levels import change_level
from accounts.models import LevelChange, User
from core import clock


class LevelChangeInline(admin.TabularInline):
    """The person's level history, read-only: it changes only with their level, below."""

    model = LevelChange
    fk_name = "user"
    fields = ["level", "since", "reason", "note", "recorded_by", "recorded_at"]
    readonly_fields = fields
    ordering = ["-since", "-id"]
    extra = 0
    can_delete = False
    verbose_name = "level history step"

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("level", "recorded_by")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [LevelChangeInline]
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


# Grouping fields are defined on HR's own page (accounts.views). Declarations are not registered
# here at all: no page but the person's own shows one (accounts/declarations.py).
