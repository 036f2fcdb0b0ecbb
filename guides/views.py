from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from guides.ladder import build_ladders
from guides.models import Guide


@require_GET
@login_required
def guide_list(request):
    ladders = build_ladders(Guide.objects.published().with_levels())
    return render(request, "guides/guide_list.html", {"ladders": ladders})


@require_GET
@login_required
def guide_detail(request, slug):
    guide = get_object_or_404(Guide.objects.published().with_parts(), slug=slug)
    return render(request, "guides/guide_detail.html", {"guide": guide})
