"""The guide pages: everyone logged in reads published (and retired) versions; HR also imports,
reviews, publishes, retires and discards them. A draft is HR's alone: to anyone else every one of
its URLs is a 404, as if it did not exist."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.module_loading import import_string
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.downloads import as_download
from guides import versions
from guides.forms import GuideImportForm
from guides.guidemd import GuideFormatError, render_guide
from guides.ladder import build_ladders
from guides.models import Guide
from guides.services import guide_to_doc

# Cases that still work on a version, by their status (reviews.models.Case.ACTIVE_STATUSES).
ACTIVE = ["open", "signed_off"]


def _is_hr(request) -> bool:
    """Whether this person manages guides. The app that knows people's roles says so, named by
    the setting GUIDE_MANAGER_CHECK, so that this app depends on no other."""
    return import_string(settings.GUIDE_MANAGER_CHECK)(request)


def _readable(request):
    """The versions this person may read: HR every one, everyone else all but drafts."""
    guides = Guide.objects.all()
    return guides if _is_hr(request) else guides.exclude(status=Guide.Status.DRAFT)


def _hr_guide(request, slug: str, queryset=None) -> Guide:
    if not _is_hr(request):
        raise Http404
    if queryset is None:
        queryset = Guide.objects.with_levels()
    return get_object_or_404(queryset, slug=slug)


@require_GET
@login_required
def guide_list(request):
    ladders = build_ladders(Guide.objects.published().with_levels())
    context = {"ladders": ladders}
    if _is_hr(request):
        context["versions"] = (
            Guide.objects.with_levels()
            .defer(*Guide.LONG_TEXTS)
            .annotate(open_cases=Count("cases", filter=Q(cases__status__in=ACTIVE)))
        )
    return render(request, "guides/guide_list.html", context)


@require_GET
@login_required
def guide_detail(request, slug):
    guide = get_object_or_404(_readable(request).with_parts(), slug=slug)
    return render(request, "guides/guide_detail.html", {"guide": guide, "is_hr": _is_hr(request)})


@require_GET
@login_required
def guide_markdown(request, slug):
    guide = get_object_or_404(_readable(request), slug=slug)
    response = HttpResponse(
        render_guide(guide_to_doc(guide)), content_type="text/markdown; charset=utf-8"
    )
    return as_download(response, f"{guide.slug}.md")


@require_http_methods(["GET", "POST"])
@login_required
def guide_import(request):
    if not _is_hr(request):
        raise Http404
    form = GuideImportForm(request.POST or None, request.FILES or None)
    refusal = None
    if request.method == "POST" and form.is_valid():
        source = form.source()
        try:
            result = versions.import_draft(source=source)
        except GuideFormatError as error:
            refusal = error
            form = _keeping_text(form, source)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            guide = result.guide
            messages.success(
                request,
                f"Imported {guide.label} as a draft. Only HR can see it until it is published.",
            )
            return redirect("guides:guide_review", slug=guide.slug)
    return render(request, "guides/guide_import.html", {"form": form, "refusal": refusal})


def _keeping_text(form: GuideImportForm, source: bytes) -> GuideImportForm:
    """The form again with the refused document in its text box, so it can be fixed there."""
    text = source.decode("utf-8-sig", errors="replace").replace("\x00", "")
    return GuideImportForm(initial={"text": text})


@require_GET
@login_required
def guide_review(request, slug):
    guide = _hr_guide(request, slug, Guide.objects.with_parts())
    context = {
        "guide": guide,
        "is_hr": True,
        "comparison": versions.compare_with_published(guide),
        "open_cases": guide.cases.filter(status__in=ACTIVE).count(),
    }
    return render(request, "guides/guide_review.html", context)


def _act(request, slug: str, action, done: str):
    guide = _hr_guide(request, slug)
    try:
        action(guide=guide)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("guides:guide_review", slug=guide.slug)
    messages.success(request, done.format(label=guide.label))
    return None


@require_POST
@login_required
def guide_publish(request, slug):
    refused = _act(
        request,
        slug,
        versions.publish_guide,
        "Published {label}: everyone can read it, and new cases can be opened on it.",
    )
    return refused or redirect("guides:guide_review", slug=slug)


@require_http_methods(["GET", "POST"])
@login_required
def guide_retire(request, slug):
    if request.method == "POST":
        refused = _act(
            request,
            slug,
            versions.retire_guide,
            "Retired {label}: no new case can be opened on it. Its open cases stay on it.",
        )
        return refused or redirect("guides:guide_list")
    guide = _hr_guide(request, slug)
    open_cases = guide.cases.filter(status__in=ACTIVE).count()
    return render(request, "guides/guide_retire.html", {"guide": guide, "open_cases": open_cases})


@require_POST
@login_required
def guide_discard(request, slug):
    refused = _act(request, slug, versions.discard_draft, "Discarded the draft {label}.")
    return refused or redirect("guides:guide_list")
