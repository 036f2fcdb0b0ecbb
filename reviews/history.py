"""A case's history as people read it: every recorded change to the case, its evidence and its
feedback (django-pghistory), with the sign-offs, the nominations to promotion cycles and the
decision (rows of their own), newest first, in words.

An event stores ids and codes; this module says them as names, titles and labels. The people,
capabilities and evidence items the events name are each read in one query for the whole page.
"""

import datetime
from dataclasses import dataclass, field

from pghistory.models import MiddlewareEvents

from accounts.models import User, display_name_of
from guides.models import Capability, Guide
from reviews.models import Case, Decision, Evidence, Feedback, Nomination
from reviews.words import (
    decision_label,
    feedback_kind_label,
    history_action,
    nomination_sentence,
    sign_off_label,
)

LIMIT = 200
# Columns every event has, or that say nothing a person reads: who the row belongs to.
HIDDEN = {"id", "pgh_obj", "pgh_obj_id", "pgh_context", "pgh_created_at", "case", "created_at"}
PEOPLE = {"candidate", "sponsor", "author", "imported_by"}
# How each column reads, where its name is not already a word.
FIELD_WORDS = {
    "opened_on": "opened on",
    "guide": "guide",
    "capability": "capability",
    "date": "date of the work",
    "summary": "what was done",
    "outcome": "business outcome",
    "starred": "chosen as a best item",
    "text": "message",
    "imported_at": "imported on",
    "imported_by": "imported by",
}
CHOICES = {"status": Case.Status, "kind": Feedback.Kind}
DELETED_ITEM = "an evidence item since deleted"


@dataclass(frozen=True)
class HistoryRow:
    at: datetime.datetime
    who: str
    model: str
    label: str
    what: str
    changes: list[tuple[str, object, object]] = field(default_factory=list)


@dataclass
class Names:
    """What the page's events refer to by id, read once for all of them."""

    people: dict[int, str]
    capabilities: dict[int, str]
    titles: dict[int, str]
    guides: dict[int, str] = field(default_factory=dict)

    def value(self, name: str, value):
        if value is None or value == "":
            return None
        if name in PEOPLE:
            return self.people.get(value, "someone since removed")
        if name == "capability":
            return self.capabilities.get(value, "a capability")
        if name == "guide":
            return self.guides.get(value, "a guide version")
        if name == "evidence":
            return self.titles.get(value, DELETED_ITEM)
        if name in CHOICES:
            return CHOICES[name](value).label
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, list):
            return ", ".join(str(item) for item in value) or None
        return value


def _key(name: str) -> str:
    return name.removesuffix("_id")


def _ids(events, names: set[str]) -> set[int]:
    found = set()
    for event in events:
        data = {_key(k): v for k, v in (event.pgh_data or {}).items()}
        found.update(data[n] for n in names if isinstance(data.get(n), int))
    return found


def _moved_to(events) -> set[int]:
    """The guide versions a case moved between: read only for a case that moved."""
    return {
        value
        for event in events
        if event.pgh_label == "update" and event.pgh_diff
        for name, pair in event.pgh_diff.items()
        if _key(name) == "guide"
        for value in pair
    }


def read_names(events, extra_people: set[int]) -> Names:
    people = _ids(events, PEOPLE) | extra_people
    moves = _moved_to(events)
    return Names(
        people={
            row[0]: display_name_of(*row[1:])
            for row in User.objects.filter(pk__in=people).values_list("pk", *User.NAME_FIELDS)
        }
        if people
        else {},
        capabilities=dict(
            Capability.objects.filter(pk__in=_ids(events, {"capability"})).values_list(
                "pk", "title"
            )
        ),
        titles=dict(
            Evidence.objects.filter(pk__in=_ids(events, {"evidence"})).values_list("pk", "title")
        ),
        guides={guide.pk: guide.label for guide in Guide.objects.with_levels().filter(pk__in=moves)}
        if moves
        else {},
    )


def event_row(event, names: Names) -> HistoryRow:
    data = {_key(k): v for k, v in (event.pgh_data or {}).items()}
    model = event.pgh_model.rsplit(".", 1)[-1].removesuffix("Event").lower()
    changes = []
    if event.pgh_label == "update" and event.pgh_diff:
        changes = [
            (FIELD_WORDS.get(_key(name), _key(name)), *(names.value(_key(name), v) for v in pair))
            for name, pair in event.pgh_diff.items()
            if _key(name) not in HIDDEN
        ]
    if model == "feedback":
        title = names.value("evidence", data.get("evidence"))
        what = f"{feedback_kind_label(data['kind'])} on “{title}”" if data.get("kind") else ""
    elif model == "case":
        what = Case.Status(data["status"]).label if data.get("status") else ""
    else:
        what = data.get("title") or ""
    return HistoryRow(
        at=event.pgh_created_at,
        who=event.user.display_name if event.user else "the system",
        model=model,
        label=history_action(event.pgh_label),
        what=what,
        changes=changes,
    )


def case_history(case: Case) -> list[HistoryRow]:
    """The newest `LIMIT` rows of the case's history."""
    events = list(
        MiddlewareEvents.objects.references(case)
        .select_related("user")
        .order_by("-pgh_created_at", "-pgh_id")[:LIMIT]
    )
    sign_offs = list(case.sign_offs.order_by("-created_at", "-id")[:LIMIT])
    decisions = list(Decision.objects.filter(case=case))
    nominations = list(
        Nomination.objects.filter(case=case).select_related("cycle").order_by("-created_at")
    )
    names = read_names(
        events,
        {s.signer_id for s in sign_offs}
        | {d.decided_by_id for d in decisions}
        | {n.by_id for n in nominations},
    )
    rows = [event_row(event, names) for event in events]
    rows += [
        HistoryRow(
            at=s.created_at,
            who=names.people.get(s.signer_id, ""),
            model="sign-off",
            label="recorded",
            what=f"{sign_off_label(s.decision)}: {s.rationale}",
            changes=[("override reason", None, s.override_reason)] if s.override else [],
        )
        for s in sign_offs
    ]
    rows += [
        HistoryRow(
            at=d.created_at,
            who=names.people.get(d.decided_by_id, ""),
            model="decision",
            label="recorded",
            what=f"{decision_label(d.outcome)}, effective {d.effective_date:%-d %b %Y}",
        )
        for d in decisions
    ]
    rows += [
        HistoryRow(
            at=n.created_at,
            who=names.people.get(n.by_id, ""),
            model="nomination",
            label="recorded",
            what=nomination_sentence(n.cycle.name, names.people.get(n.by_id, "")),
            changes=[("reason", None, n.reason)] if n.reason else [],
        )
        for n in nominations
    ]
    rows.sort(key=lambda row: row.at, reverse=True)
    return rows[:LIMIT]
