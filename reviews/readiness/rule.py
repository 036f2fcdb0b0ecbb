"""Readiness: the guide's "sustained demonstration" rule as a pure function.

Plain data in, plain data out, no ORM, so the rule can be tested exhaustively without a database
and run for a whole dashboard of cases in one request. DESIGN.md "Readiness" is the specification.

The report's words are types: a `Status`, and `Flag`s with their kind and, for thin, the
capability's number. The report as DESIGN.md writes it (`manage.py readiness`, a packet's
`readiness`, a kept snapshot) is `Readiness.as_dict`, read back with `Readiness.from_snapshot`:
those two are where the types meet their spelling.

About 460 lines: the report's types, their spelling and the rule read as one specification, so
they stay in one module.
"""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from reviews.readiness.months import first_day, key_of_index, month_index, months_ending

BLOCK_MONTHS = 3
STALE_AFTER = datetime.timedelta(days=60)
ANSWERS = frozenset({"yes", "partly", "no"})


class Status(StrEnum):
    NOT_STARTED = "not_started"
    BUILDING = "building"
    READY = "ready"


class FlagKind(StrEnum):
    STALE = "stale"
    LOPSIDED = "lopsided"
    THIN = "thin"


@dataclass(frozen=True, eq=False)
class Flag(str):
    """One flag of a report: its kind and, for a thin one, the number of the capability.

    Its value as a string is its spelling in the report ("stale", "thin:3"), so a report's flags
    compare, sort and serialise as DESIGN.md writes them; code reads `kind` and `capability`.
    """

    kind: FlagKind
    capability: int | None = None

    def __new__(cls, kind: FlagKind, capability: int | None = None) -> "Flag":
        kind = FlagKind(kind)
        return super().__new__(cls, kind if capability is None else f"{kind}:{capability}")

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", FlagKind(self.kind))
        if (self.kind is FlagKind.THIN) != (self.capability is not None):
            raise ValueError("A thin flag names its capability, and only a thin flag does.")

    def __reduce__(self):
        return (type(self), (self.kind, self.capability))

    @classmethod
    def from_wire(cls, text: str) -> "Flag":
        """'stale' → Flag(STALE), 'thin:3' → Flag(THIN, 3)."""
        kind, _, number = text.partition(":")
        return cls(FlagKind(kind), int(number) if number else None)


STALE = Flag(FlagKind.STALE)
LOPSIDED = Flag(FlagKind.LOPSIDED)


@dataclass(frozen=True)
class CapabilitySpec:
    number: int
    title: str
    indicators_total: int


@dataclass(frozen=True)
class GuideSpec:
    min_months: int
    max_months: int
    capabilities: tuple[CapabilitySpec, ...]
    question_count: int


@dataclass(frozen=True)
class EvidenceItem:
    capability: int
    date: datetime.date
    indicators: tuple[int, ...]


@dataclass(frozen=True)
class CheckIn:
    date: datetime.date
    answers: Mapping[int, str]


@dataclass(frozen=True)
class CapabilityReadiness:
    number: int
    title: str
    items: int
    items_in_window: int
    sustained: bool
    first: datetime.date | None
    last: datetime.date | None
    indicators_covered: int
    indicators_total: int
    months: dict[str, int]

    @property
    def thin(self) -> bool:
        return self.indicators_covered * 2 < self.indicators_total


@dataclass(frozen=True)
class SelfAssessment:
    check_ins_in_window: int
    mostly_yes: int
    consistent: bool
    # What stands in the way, for the progress page to name: the window's blocks (first and
    # last month, 'YYYY-MM') without a check-in, and the dates of the window's check-ins that
    # are not mostly yes, both oldest first. Not in the report DESIGN.md prints; kept with a
    # snapshot, and empty when read from a report that does not hold them.
    blocks_without: tuple[tuple[str, str], ...] = ()
    not_mostly_yes: tuple[datetime.date, ...] = ()


@dataclass(frozen=True)
class Readiness:
    as_of: datetime.date
    status: Status
    flags: tuple[Flag, ...]
    window_months: int
    blocks: tuple[tuple[str, str], ...]
    strip_months: tuple[str, ...]
    capabilities: tuple[CapabilityReadiness, ...]
    self_assessment: SelfAssessment
    # Not part of the rule, but worked out from the same items by reviews.readiness.snapshots
    # and kept with the snapshot for the dashboard; None and 0 in a packet's report. When the
    # latest item (by the date of its work, the later logged of a tie) was logged, and how many
    # items the case has, whatever their dates.
    last_logged: datetime.datetime | None = None
    item_count: int = 0

    def as_dict(self, case_id: int) -> dict[str, object]:
        """The report exactly as `manage.py readiness` prints it (DESIGN.md)."""
        return {
            "case": case_id,
            "as_of": self.as_of.isoformat(),
            "status": self.status.value,
            "flags": [str(flag) for flag in self.flags],
            "window": {
                "months": self.window_months,
                "blocks": [[first, last] for first, last in self.blocks],
            },
            "capabilities": [
                {
                    "number": c.number,
                    "title": c.title,
                    "items": c.items,
                    "items_in_window": c.items_in_window,
                    "sustained": c.sustained,
                    "first": c.first.isoformat() if c.first else None,
                    "last": c.last.isoformat() if c.last else None,
                    "indicators_covered": c.indicators_covered,
                    "indicators_total": c.indicators_total,
                    "months": dict(c.months),
                }
                for c in self.capabilities
            ],
            "self_assessment": {
                "check_ins_in_window": self.self_assessment.check_ins_in_window,
                "mostly_yes": self.self_assessment.mostly_yes,
                "consistent": self.self_assessment.consistent,
            },
        }

    @property
    def last_evidence(self) -> datetime.date | None:
        """The date of the latest item up to `as_of`."""
        return max((c.last for c in self.capabilities if c.last), default=None)

    @property
    def window_start(self) -> datetime.date:
        """The first day of the window's first month."""
        return first_day(self.blocks[0][0])

    @property
    def flag_kinds(self) -> tuple[FlagKind, ...]:
        """The kinds among the flags, alphabetically: what a list shows and filters on."""
        return tuple(sorted({flag.kind for flag in self.flags}))

    def to_snapshot(self) -> dict[str, object]:
        """`as_dict` with the heat strip's months, which it leaves implicit, `last_logged`,
        `item_count` and what keeps self-assessment from being consistent."""
        report = {
            **self.as_dict(0),
            "strip_months": list(self.strip_months),
            "last_logged": self.last_logged.isoformat() if self.last_logged else None,
            "item_count": self.item_count,
        }
        report["self_assessment"] = {
            **report["self_assessment"],
            "blocks_without": [list(block) for block in self.self_assessment.blocks_without],
            "not_mostly_yes": [day.isoformat() for day in self.self_assessment.not_mostly_yes],
        }
        return report

    @classmethod
    def from_snapshot(cls, data: Mapping, *, max_months: int | None = None) -> "Readiness":
        """The report back from `to_snapshot`, or from `as_dict` as a packet holds it.

        `as_dict` does not list the heat strip's months: for a packet's report they are the
        guide's `max_months` ending with the as-of month."""
        date = datetime.date.fromisoformat

        def optional_date(value: str | None) -> datetime.date | None:
            return date(value) if value else None

        as_of = date(data["as_of"])
        if "strip_months" in data:
            strip_months = tuple(data["strip_months"])
        else:
            strip_months = tuple(months_ending(as_of, max_months))
        return cls(
            as_of=as_of,
            status=Status(data["status"]),
            flags=tuple(Flag.from_wire(flag) for flag in data["flags"]),
            window_months=data["window"]["months"],
            blocks=tuple((first, last) for first, last in data["window"]["blocks"]),
            strip_months=strip_months,
            capabilities=tuple(
                CapabilityReadiness(
                    number=c["number"],
                    title=c["title"],
                    items=c["items"],
                    items_in_window=c["items_in_window"],
                    sustained=c["sustained"],
                    first=optional_date(c["first"]),
                    last=optional_date(c["last"]),
                    indicators_covered=c["indicators_covered"],
                    indicators_total=c["indicators_total"],
                    months=dict(c["months"]),
                )
                for c in data["capabilities"]
            ),
            self_assessment=_self_assessment_from(data["self_assessment"]),
            last_logged=(
                datetime.datetime.fromisoformat(data["last_logged"])
                if data.get("last_logged")
                else None
            ),
            item_count=data.get("item_count", 0),
        )


def _self_assessment_from(data: Mapping) -> SelfAssessment:
    date = datetime.date.fromisoformat
    return SelfAssessment(
        check_ins_in_window=data["check_ins_in_window"],
        mostly_yes=data["mostly_yes"],
        consistent=data["consistent"],
        blocks_without=tuple((first, last) for first, last in data.get("blocks_without", ())),
        not_mostly_yes=tuple(date(day) for day in data.get("not_mostly_yes", ())),
    )


class _Tally:
    """Running counts for one capability, filled in a single pass over the evidence."""

    __slots__ = ("spec", "items", "first", "last", "in_window", "blocks", "indicators", "strip")

    def __init__(self, spec: CapabilitySpec, block_count: int, strip_months: int) -> None:
        self.spec = spec
        self.items = 0
        self.first: datetime.date | None = None
        self.last: datetime.date | None = None
        self.in_window = 0
        self.blocks = [False] * block_count
        self.indicators: set[int] = set()
        self.strip = [0] * strip_months


def _check_guide(guide: GuideSpec) -> None:
    if guide.min_months <= 0 or guide.min_months % BLOCK_MONTHS:
        raise ValueError(
            f"The evidence window must be a positive multiple of {BLOCK_MONTHS} months, "
            f"not {guide.min_months}."
        )
    if guide.max_months < guide.min_months:
        raise ValueError(
            f"max_months ({guide.max_months}) is shorter than the evidence window "
            f"({guide.min_months})."
        )
    numbers = [spec.number for spec in guide.capabilities]
    if len(set(numbers)) != len(numbers):
        raise ValueError(f"Capability numbers repeat: {numbers}.")


def _check_item(item: EvidenceItem, tally: _Tally | None) -> _Tally:
    if tally is None:
        raise ValueError(
            f"Evidence dated {item.date} is for capability {item.capability}, "
            "which is not in the guide."
        )
    for position in item.indicators:
        if not 1 <= position <= tally.spec.indicators_total:
            raise ValueError(
                f"Evidence dated {item.date} tags indicator {position} of capability "
                f"{item.capability}, which has {tally.spec.indicators_total}."
            )
    return tally


def _yes_count(check_in: CheckIn, question_count: int) -> int:
    yes = 0
    for question, answer in check_in.answers.items():
        if not 1 <= question <= question_count:
            raise ValueError(
                f"Check-in dated {check_in.date} answers question {question}; "
                f"the guide has {question_count}."
            )
        if answer not in ANSWERS:
            raise ValueError(f"Check-in dated {check_in.date} has answer {answer!r}.")
        yes += answer == "yes"
    return yes


def compute_readiness(
    guide: GuideSpec,
    evidence: Iterable[EvidenceItem],
    check_ins: Iterable[CheckIn],
    as_of: datetime.date,
) -> Readiness:
    _check_guide(guide)
    end = month_index(as_of)
    window_start = end - guide.min_months + 1
    strip_start = end - guide.max_months + 1
    block_count = guide.min_months // BLOCK_MONTHS

    tallies = {
        spec.number: _Tally(spec, block_count, guide.max_months) for spec in guide.capabilities
    }
    latest: datetime.date | None = None
    for item in evidence:
        tally = _check_item(item, tallies.get(item.capability))
        if item.date > as_of:
            continue
        tally.items += 1
        if tally.first is None or item.date < tally.first:
            tally.first = item.date
        if tally.last is None or item.date > tally.last:
            tally.last = item.date
        if latest is None or item.date > latest:
            latest = item.date
        month = month_index(item.date)
        if month >= strip_start:
            tally.strip[month - strip_start] += 1
        if month >= window_start:
            tally.in_window += 1
            tally.blocks[(month - window_start) // BLOCK_MONTHS] = True
            tally.indicators.update(item.indicators)

    self_assessment = _self_assessment(guide, check_ins, as_of, window_start, block_count)

    strip_months = tuple(key_of_index(i) for i in range(strip_start, end + 1))
    capabilities = tuple(
        CapabilityReadiness(
            number=t.spec.number,
            title=t.spec.title,
            items=t.items,
            items_in_window=t.in_window,
            sustained=all(t.blocks),
            first=t.first,
            last=t.last,
            indicators_covered=len(t.indicators),
            indicators_total=t.spec.indicators_total,
            months=dict(zip(strip_months, t.strip, strict=True)),
        )
        for t in tallies.values()
    )

    if latest is None:
        status = Status.NOT_STARTED
    elif all(c.sustained for c in capabilities) and self_assessment.consistent:
        status = Status.READY
    else:
        status = Status.BUILDING

    blocks = tuple(
        (key_of_index(first), key_of_index(first + BLOCK_MONTHS - 1))
        for first in range(window_start, end + 1, BLOCK_MONTHS)
    )
    return Readiness(
        as_of=as_of,
        status=status,
        flags=_flags(capabilities, latest, as_of),
        window_months=guide.min_months,
        blocks=blocks,
        strip_months=strip_months,
        capabilities=capabilities,
        self_assessment=self_assessment,
    )


def _self_assessment(
    guide: GuideSpec,
    check_ins: Iterable[CheckIn],
    as_of: datetime.date,
    window_start: int,
    block_count: int,
) -> SelfAssessment:
    blocks = [False] * block_count
    in_window = 0
    mostly_yes = 0
    not_mostly_yes = []
    for check_in in check_ins:
        # Validate every check-in, not only those in the window, so bad data never hides.
        yes = _yes_count(check_in, guide.question_count)
        month = month_index(check_in.date)
        if check_in.date > as_of or month < window_start:
            continue
        in_window += 1
        blocks[(month - window_start) // BLOCK_MONTHS] = True
        # The denominator is the guide's questions: an unanswered question is not a yes.
        if yes * 2 > guide.question_count:
            mostly_yes += 1
        else:
            not_mostly_yes.append(check_in.date)
    first_months = range(window_start, window_start + block_count * BLOCK_MONTHS, BLOCK_MONTHS)
    return SelfAssessment(
        check_ins_in_window=in_window,
        mostly_yes=mostly_yes,
        consistent=all(blocks) and mostly_yes == in_window,
        blocks_without=tuple(
            (key_of_index(first), key_of_index(first + BLOCK_MONTHS - 1))
            for first, held in zip(first_months, blocks, strict=True)
            if not held
        ),
        not_mostly_yes=tuple(sorted(not_mostly_yes)),
    )


def _flags(
    capabilities: tuple[CapabilityReadiness, ...],
    latest: datetime.date | None,
    as_of: datetime.date,
) -> tuple[Flag, ...]:
    flags = []
    if latest is not None and latest < as_of - STALE_AFTER:
        flags.append(STALE)
    counts = [c.items_in_window for c in capabilities]
    most = max(counts, default=0)
    if most >= 4 and any(count * 4 < most for count in counts):
        flags.append(LOPSIDED)
    by_number = sorted(capabilities, key=lambda c: c.number)
    flags.extend(Flag(FlagKind.THIN, c.number) for c in by_number if c.thin)
    return tuple(flags)
