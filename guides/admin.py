from django.contrib import admin, messages

from guides.models import (
    Capability,
    Guide,
    Indicator,
    Level,
    Pitfall,
    Practice,
    Question,
    Shift,
    TimelinePoint,
    TrackRecordStep,
)


@admin.register(Level)
class LevelAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "track", "rank"]
    list_filter = ["track"]
    search_fields = ["code", "title"]


class FrozenWhenPublished:
    """Published and retired guides are read-only here; the database refuses edits as well."""

    def _guide_of(self, obj):
        return obj

    def has_change_permission(self, request, obj=None):
        if obj is not None and self._guide_of(obj).is_frozen:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and self._guide_of(obj).is_frozen:
            return False
        return super().has_delete_permission(request, obj)


class GuidePartInline(FrozenWhenPublished, admin.TabularInline):
    extra = 0

    def has_add_permission(self, request, obj=None):
        if obj is not None and obj.is_frozen:
            return False
        return super().has_add_permission(request, obj)


class ShiftInline(GuidePartInline):
    model = Shift


class CapabilityInline(GuidePartInline):
    model = Capability
    show_change_link = True


class PitfallInline(GuidePartInline):
    model = Pitfall


class TrackRecordStepInline(GuidePartInline):
    model = TrackRecordStep


class QuestionInline(GuidePartInline):
    model = Question


class TimelinePointInline(GuidePartInline):
    model = TimelinePoint


@admin.register(Guide)
class GuideAdmin(FrozenWhenPublished, admin.ModelAdmin):
    list_display = ["__str__", "slug", "status", "min_months", "max_months", "published_at"]
    list_filter = ["status", "from_level", "to_level"]
    list_select_related = ["from_level", "to_level"]
    search_fields = ["slug", "title"]
    readonly_fields = ["created_at", "published_at", "source_markdown"]
    inlines = [
        ShiftInline,
        CapabilityInline,
        PitfallInline,
        TrackRecordStepInline,
        QuestionInline,
        TimelinePointInline,
    ]
    actions = ["retire"]

    @admin.action(description="Retire the selected published guides")
    def retire(self, request, queryset):
        count = queryset.filter(status=Guide.Status.PUBLISHED).update(status=Guide.Status.RETIRED)
        self.message_user(request, f"{count} guide(s) retired.", messages.SUCCESS)


class CapabilityPartInline(FrozenWhenPublished, admin.TabularInline):
    extra = 0

    def _guide_of(self, obj):
        return obj.guide

    def has_add_permission(self, request, obj=None):
        if obj is not None and obj.guide.is_frozen:
            return False
        return super().has_add_permission(request, obj)


class IndicatorInline(CapabilityPartInline):
    model = Indicator


class PracticeInline(CapabilityPartInline):
    model = Practice


@admin.register(Capability)
class CapabilityAdmin(FrozenWhenPublished, admin.ModelAdmin):
    list_display = ["__str__", "guide"]
    list_select_related = ["guide__from_level", "guide__to_level"]
    inlines = [IndicatorInline, PracticeInline]

    def _guide_of(self, obj):
        return obj.guide
