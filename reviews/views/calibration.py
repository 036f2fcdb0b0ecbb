"""The committee's calibration page of a cycle, for HR and the cycle's panel.

What it shows and in how many queries is reviews/calibration.py; here are access, the sorting
links and the page. Sorting is server-side, through links (`?sort=…&dir=…`), so it needs no
script.
"""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from reviews.calibration import calibration, sort_rows
from reviews.models import CapabilityScore, Cycle, Panellist
from reviews.roles import request_roles
from reviews.words import SCORES_HIDDEN_UNTIL_COMMITTEE


@dataclass(frozen=True)
class Sort:
    key: str
    label: str
    # The first click's direction: names A→Z, the rest largest first.
    first_dir: str


SORTS = {
    sort.key: sort
    for sort in (
        Sort("disagreement", "Disagreement", "desc"),
        Sort("candidate", "Candidate", "asc"),
        Sort("readiness", "Readiness", "desc"),
        Sort("recommendation", "Recommendations", "desc"),
    )
}
# The agenda: largest disagreement first.
DEFAULT_SORT = "disagreement"
DIRECTIONS = {"asc": "ascending", "desc": "descending"}


def get_cycle_for_committee(request, cycle_id: int) -> Cycle:
    """The cycle for HR, or for a member of its panel while it is open; 404 to anyone else, as
    HR's pages are, so that they learn nothing of it."""
    on_panel = Panellist.objects.filter(cycle=OuterRef("pk"), user=request.user)
    cycle = get_object_or_404(Cycle.objects.annotate(on_panel=Exists(on_panel)), pk=cycle_id)
    if request_roles(request).hr:
        return cycle
    if cycle.on_panel and cycle.state != Cycle.State.CLOSED:
        return cycle
    raise Http404


def sort_link(sort: str, direction: str) -> str:
    query = QueryDict(mutable=True)
    query["sort"], query["dir"] = sort, direction
    return "?" + query.urlencode()


def sort_headers(sort: str, direction: str) -> dict[str, dict]:
    """Per sortable column: its link, the direction it sorts in now (for `aria-sort`) or None,
    and what following the link does, for screen readers."""
    headers = {}
    for key, column in SORTS.items():
        current = key == sort
        next_dir = ("asc" if direction == "desc" else "desc") if current else column.first_dir
        headers[key] = {
            "label": column.label,
            "href": sort_link(key, next_dir),
            "aria_sort": DIRECTIONS[direction] if current else None,
            "arrow": ("▲" if direction == "asc" else "▼") if current else "",
            "action": f"sort {DIRECTIONS[next_dir]}",
        }
    return headers


@require_GET
@login_required
def cycle_calibration(request, cycle_id: int):
    """Every nominated case of the cycle side by side; by default the agenda, the case the
    panel disagrees on most first."""
    cycle = get_cycle_for_committee(request, cycle_id)
    view = calibration(cycle=cycle, user=request.user, is_hr=request_roles(request).hr)
    sort = request.GET.get("sort", "")
    sort = sort if sort in SORTS else DEFAULT_SORT
    direction = request.GET.get("dir", "")
    direction = direction if direction in DIRECTIONS else SORTS[sort].first_dir
    if (sort, direction) != (DEFAULT_SORT, "desc"):
        for group in view.groups:
            group.rows = sort_rows(group.rows, sort, direction == "desc")
    context = {
        "cycle": cycle,
        "view": view,
        "sort": sort,
        "sort_label": SORTS[sort].label.lower(),
        "dir_word": DIRECTIONS[direction],
        "is_agenda": (sort, direction) == (DEFAULT_SORT, "desc"),
        "headers": sort_headers(sort, direction),
        "hidden_until_committee": SCORES_HIDDEN_UNTIL_COMMITTEE,
        "several_guides": len(view.groups) > 1,
        "score_scale": CapabilityScore.Value.choices,
    }
    return render(request, "reviews/calibration/cycle_calibration.html", context)
