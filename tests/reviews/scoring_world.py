"""A cycle with one nominated case and a panel of three, for the tests of scores and outcomes."""

from dataclasses import dataclass

from reviews import scoring
from reviews.models import Cycle, Nomination
from tests.factories import (
    CycleFactory,
    HRFactory,
    NominationFactory,
    PanellistFactory,
    UserFactory,
    published_guide,
    signed_case,
)


@dataclass
class World:
    cycle: Cycle
    nomination: Nomination
    panel: list
    hr: object

    @property
    def case(self):
        return self.nomination.case

    @property
    def capabilities(self):
        return list(self.case.guide.capabilities.order_by("number"))


def make_world(*, capabilities: int = 3, state: str = Cycle.State.SCORING, **cycle) -> World:
    guide = published_guide(capabilities=capabilities)
    made = CycleFactory(state=state, guides=[guide], **cycle)
    case = signed_case(
        guide=guide,
        candidate=UserFactory(name="Cora Candidate"),
        sponsor=UserFactory(name="Seth Sponsor", current_level=guide.to_level),
    )
    nomination = NominationFactory(cycle=made, case=case)
    panel = [
        PanellistFactory(cycle=made, user=UserFactory(name=f"Panellist {n}")).user
        for n in ("Ana", "Ben", "Cai")
    ]
    return World(cycle=made, nomination=nomination, panel=panel, hr=HRFactory(name="Hana HR"))


def scores_for(world: World, value: int = 2, reason: str = "Seen in the packet.") -> dict:
    return {c.pk: (value, f"{reason} ({c.number})") for c in world.capabilities}


def submit(world: World, panellist, *, recommendation="promote", value=2, reason="Sustained."):
    return scoring.submit_scores(
        nomination=world.nomination,
        panellist=panellist,
        scores=scores_for(world, value),
        recommendation=recommendation,
        reason=reason,
    )


def move(world: World, state: str) -> None:
    """The cycle's state, as the cycle's own moves (reviews/cycles.py) would leave it."""
    Cycle.objects.filter(pk=world.cycle.pk).update(state=state)
    world.cycle.refresh_from_db()
    world.nomination.refresh_from_db()


def in_committee() -> World:
    """The world in committee, its panel split: two recommend promotion (scoring 3 and 2), one
    not yet (scoring 1)."""
    made = make_world()
    submit(made, made.panel[0], recommendation="promote", value=3)
    submit(made, made.panel[1], recommendation="promote")
    submit(made, made.panel[2], recommendation="not_yet", value=1)
    move(made, "committee")
    return made
