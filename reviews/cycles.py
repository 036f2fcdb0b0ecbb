"""The writes of a promotion cycle before its committee: HR creates and moves the cycle and
appoints its panel; the sponsor (after a ready sign-off) or HR (with a reason) nominates a case.

Each write runs in one transaction holding the cycle's row lock, so a nomination, a change of the
panel and a move of the cycle never interleave: a case is nominated while the cycle is open for
nominations or not at all, and the panel is fixed once the cycle reaches the committee. A
nomination also holds the case's row lock (reviews.case_writes), so two cycles cannot both take a
case at once; the database's constraint "one open cycle per case" stands behind the check.

The move from "in committee" to "published" publishes the outcomes, which is the committee's
work (its own service); every other move is here.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from guides.models import Guide
from reviews.case_writes import locked_case
from reviews.models import Case, Cycle, CycleMove, Nomination, Panellist, ScoreSheet, SignOff
from reviews.roles import roles_for

State = Cycle.State
# The states in the order a cycle moves through them.
ORDER = [State.NOMINATING, State.SCORING, State.COMMITTEE, State.PUBLISHED, State.CLOSED]
PUBLISHED_ELSEWHERE = "Outcomes are published from the committee page."
HR_ONLY = "Only the people team runs promotion cycles."
PANEL_FIXED = "The panel is fixed once the cycle is in committee."
# The states in which HR may still change the panel.
PANEL_STATES = (State.NOMINATING, State.SCORING)
DATES_OUT_OF_ORDER = (
    "The dates must follow one another: nominations close, then scores are due, then the "
    "committee meets, then outcomes are published."
)


def next_state(state: str) -> str | None:
    """The state a cycle moves to from `state`, or None once it is closed."""
    index = ORDER.index(State(state))
    return ORDER[index + 1] if index + 1 < len(ORDER) else None


def dates_problem(*dates: datetime.date | None) -> str | None:
    """Why these dates (nominations close, scores due, committee meets, outcomes published)
    cannot be a cycle's, or None when they are in order."""
    known = [day for day in dates if day is not None]
    return None if known == sorted(known) else DATES_OUT_OF_ORDER


def require_hr(user) -> None:
    if not roles_for(user).hr:
        raise PermissionDenied(HR_ONLY)


def locked_cycle(cycle_id: int) -> Cycle:
    return Cycle.objects.select_for_update().get(pk=cycle_id)


def create_cycle(
    *,
    name: str,
    guides,
    nominations_close: datetime.date,
    scores_due: datetime.date,
    committee_meets: datetime.date,
    outcomes_due: datetime.date,
    appeal_days: int,
    show_panel_names: bool,
    by,
) -> Cycle:
    """A new cycle, open for nominations, its first move recorded."""
    require_hr(by)
    name = name.strip()
    guides = list(guides)
    if not name:
        raise ValidationError({"name": "Give the cycle a name."})
    if not guides:
        raise ValidationError({"guides": "Choose at least one guide the cycle covers."})
    if any(guide.status == Guide.Status.DRAFT for guide in guides):
        raise ValidationError({"guides": "A cycle covers published guides only, not drafts."})
    if problem := dates_problem(nominations_close, scores_due, committee_meets, outcomes_due):
        raise ValidationError(problem)
    if appeal_days < 1:
        raise ValidationError({"appeal_days": "Give candidates at least one day to appeal."})
    try:
        with transaction.atomic():
            cycle = Cycle.objects.create(
                name=name,
                nominations_close=nominations_close,
                scores_due=scores_due,
                committee_meets=committee_meets,
                outcomes_due=outcomes_due,
                appeal_days=appeal_days,
                show_panel_names=show_panel_names,
                created_by=by,
            )
            cycle.guides.set(guides)
            CycleMove.objects.create(cycle=cycle, from_state="", to_state=cycle.state, by=by)
            return cycle
    except IntegrityError:
        raise ValidationError({"name": f"There is a cycle named “{name}” already."}) from None


def move_cycle(*, cycle: Cycle, to_state: str, by) -> Cycle:
    """One step forward, recorded; closing the cycle ends its nominations, so their cases may
    enter another cycle."""
    require_hr(by)
    with transaction.atomic():
        cycle = locked_cycle(cycle.pk)
        step = next_state(cycle.state)
        if step is None:
            raise ValidationError("This cycle is closed; it moves no further.")
        if to_state == State.PUBLISHED and cycle.state == State.COMMITTEE:
            raise ValidationError(PUBLISHED_ELSEWHERE)
        if to_state != step:
            raise ValidationError(
                f"A cycle moves one step at a time: from “{cycle.get_state_display()}” it "
                f"moves to “{State(step).label}”."
            )
        if step == State.SCORING:
            if not cycle.nominations.exists():
                raise ValidationError("No case is nominated yet, so there is nothing to score.")
            if not cycle.panel.exists():
                raise ValidationError("Appoint the panel before scoring starts.")
        CycleMove.objects.create(cycle=cycle, from_state=cycle.state, to_state=step, by=by)
        cycle.state = step
        cycle.save(update_fields=["state"])
        if step == State.CLOSED:
            cycle.nominations.filter(active=True).update(active=False)
        return cycle


def latest_sign_off(case: Case) -> SignOff | None:
    return case.sign_offs.order_by("-created_at", "-id").first()


def _check_nominator(case: Case, by, reason: str) -> None:
    """Refuses unless `by` may nominate this case: its sponsor after a ready sign-off, or HR
    with a reason."""
    signed = latest_sign_off(case)
    ready = (
        case.status == Case.Status.SIGNED_OFF
        and signed is not None
        and signed.decision == SignOff.Decision.READY
    )
    if case.sponsor_id == by.pk and ready:
        return
    if roles_for(by).hr:
        if not reason:
            raise ValidationError({"reason": "Say why the people team nominates this case."})
        return
    if case.sponsor_id == by.pk:
        raise ValidationError("A case is nominated once its sponsor has signed it off as ready.")
    raise PermissionDenied("Only the case's sponsor or the people team can nominate it.")


def nominate(*, case: Case, cycle: Cycle, by, reason: str = "") -> Nomination:
    reason = reason.strip()
    with transaction.atomic():
        case = locked_case(case.pk)
        cycle = locked_cycle(cycle.pk)
        _check_nominator(case, by, reason)
        if case.status not in Case.ACTIVE_STATUSES:
            raise ValidationError("This case is closed, so it cannot be nominated.")
        if cycle.state != State.NOMINATING:
            raise ValidationError(f"{cycle.name} is no longer open for nominations.")
        if not cycle.guides.filter(pk=case.guide_id).exists():
            raise ValidationError(f"{cycle.name} does not cover this case's guide.")
        held = Nomination.objects.filter(case=case, active=True).select_related("cycle").first()
        if held is not None:
            raise ValidationError(already_nominated(held.cycle, cycle))
        try:
            with transaction.atomic():
                return Nomination.objects.create(case=case, cycle=cycle, by=by, reason=reason)
        except IntegrityError:
            raise ValidationError(
                "This case is in another open cycle already, so it cannot be nominated to this one."
            ) from None


def already_nominated(held: Cycle, wanted: Cycle) -> str:
    if held.pk == wanted.pk:
        return f"This case is nominated to {held.name} already."
    return f"This case is in {held.name}, an open cycle, so it cannot enter {wanted.name} too."


def appoint(*, cycle: Cycle, user, by) -> Panellist:
    require_hr(by)
    with transaction.atomic():
        cycle = locked_cycle(cycle.pk)
        if cycle.state not in PANEL_STATES:
            raise ValidationError(PANEL_FIXED)
        if not user.is_active:
            raise ValidationError({"user": f"{user.display_name} can no longer sign in."})
        on_panel = f"{user.display_name} is on this panel already."
        if cycle.panel.filter(user=user).exists():
            raise ValidationError({"user": on_panel})
        try:
            with transaction.atomic():
                return Panellist.objects.create(cycle=cycle, user=user, appointed_by=by)
        except IntegrityError:
            raise ValidationError({"user": on_panel}) from None


def remove_from_panel(*, cycle: Cycle, user, by) -> None:
    require_hr(by)
    with transaction.atomic():
        cycle = locked_cycle(cycle.pk)
        if cycle.state not in PANEL_STATES:
            raise ValidationError(PANEL_FIXED)
        seat = cycle.panel.filter(user=user).first()
        if seat is None:
            raise ValidationError(f"{user.display_name} is not on this panel.")
        if ScoreSheet.objects.filter(nomination__cycle=cycle, panellist=user).exists():
            raise ValidationError(
                f"{user.display_name} has submitted scores in this cycle, so stays on its panel."
            )
        seat.delete()
