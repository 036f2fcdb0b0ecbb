"""Checking a packet before it is imported: every problem, by JSON path, and what the valid parts
say, resolved against this database (the guide version, its capabilities and questions, the
people). Nothing is written here; reviews/packets/importing.py writes a packet with no problem.

The shape of a packet, its keys, types, lengths, limits and choices, is its format's JSON Schema
(reviews/packets/schemas/, checked by reviews/packets/shapes.py). What is left here is what a
schema cannot say: the guide, capabilities, indicators and questions the packet names, as this
database has them; references between the packet's parts (feedback on items that exist, one
check-in a day, every question answered); the people, as this app holds usernames and email
addresses and as its roles allow; and the dates, held to today (core/dates.py). Each part is
checked only when its shape is sound, so a problem is reported once.

One walk over the packet, in one class of about 400 lines: each part is checked against what the
parts before it resolved (the guide, the two people), so they stay together.
"""

import datetime
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db.models import Prefetch

from accounts.models import User
from accounts.usernames import people_named, same_person
from core import clock
from core.dates import date_problem
from guides.models import Capability, Guide, Indicator, Question, guide_label
from reviews.limits import MAX_MESSAGES_PER_THREAD
from reviews.models import Case, Feedback
from reviews.packets import formats
from reviews.packets.cycle_record import CycleRecord, read_record
from reviews.packets.shapes import (
    DATE_NAMES,
    MOMENT_WORDS,
    TOO_MANY_ERRORS,
    PacketProblem,
    in_file_order,
    key_path,
    place_of,
    shape_problems,
    show,
    span,
)
from reviews.roles import roles_for
from reviews.services import sponsor_problem

QUESTION_NUMBER = re.compile(r"[1-9][0-9]{0,4}")


@dataclass(frozen=True)
class PlannedPerson:
    username: str
    name: str
    email: str


@dataclass(frozen=True)
class PlannedItem:
    capability: Capability
    indicators: list[Indicator]
    title: str
    date: datetime.date
    summary: str
    outcome: str
    links: list[str]


@dataclass(frozen=True)
class PlannedCheckIn:
    date: datetime.date
    answers: list[tuple[Question, str, str]]


@dataclass(frozen=True)
class PlannedMessage:
    evidence: int
    author: str  # "candidate" or "sponsor"
    kind: str
    text: str
    at: datetime.datetime | None


@dataclass(frozen=True)
class LinkedPerson:
    """Someone the packet names who is already here: the case would be theirs, or sponsored by
    them, and the feedback in their name would show as theirs, imported."""

    role: str  # "candidate" or "sponsor"
    named: PlannedPerson
    user: User


@dataclass
class Plan:
    """What a valid packet says, resolved against this database."""

    guide: Guide | None = None
    candidate: PlannedPerson | None = None
    sponsor: PlannedPerson | None = None
    opened_on: datetime.date | None = None
    narrative: str = ""
    evidence: list[PlannedItem] = field(default_factory=list)
    check_ins: list[PlannedCheckIn] = field(default_factory=list)
    feedback: list[PlannedMessage] = field(default_factory=list)
    # The people named who exist here already, matched by `accounts.usernames.username_key`.
    linked: list[LinkedPerson] = field(default_factory=list)
    # A version 2 file's cycle and outcome, checked and left behind (packets/cycle_record.py).
    cycle_record: CycleRecord | None = None

    def existing(self, role: str) -> User | None:
        return next((p.user for p in self.linked if p.role == role), None)


class PacketChecker:
    """Checks a packet's shape against its format's schema, then walks the parts whose shape
    is sound, checking what only this database can say, and noting what the valid parts say."""

    def __init__(self) -> None:
        self.problems: list[PacketProblem] = []
        self.today = clock.today()
        self.now = clock.now()
        self.plan = Plan()
        self.capabilities: dict[int, Capability] = {}
        self.indicators: dict[int, dict[int, Indicator]] = {}
        self.questions: dict[int, Question] = {}
        # Every path at or above a problem of shape: what the walk leaves alone.
        self.unsound: set[str] = set()
        # The paths of the problems of shape: a list among them is refused whole.
        self.refused: set[str] = set()

    def problem(self, path: str, message: str) -> None:
        self.problems.append(PacketProblem(path, message))

    def sound(self, path: str) -> bool:
        """Whether the part at `path` and everything in it has the shape its schema gives."""
        return path not in self.unsound

    def packet(self, data: Any) -> None:
        if not isinstance(data, dict):
            self.problem("$", f"expected a packet: a JSON object, found {show(data)}")
            return
        packet_format, self.problems = shape_problems(data)
        if PacketProblem("$", TOO_MANY_ERRORS) in self.problems:
            # The rest of the file was not checked for its shape, so it cannot be walked.
            return
        for problem in self.problems:
            self.unsound.update(_paths_above(problem.path))
        self.refused = {problem.path for problem in self.problems}
        self.walk(data)
        self.problems = in_file_order(self.problems, formats.schema(packet_format))

    def walk(self, data: dict) -> None:
        plan = self.plan
        if self.sound("$.candidate"):
            plan.candidate = self.person(data["candidate"], "$.candidate")
        if self.sound("$.sponsor"):
            plan.sponsor = self.person(data["sponsor"], "$.sponsor")
        if (
            plan.candidate
            and plan.sponsor
            and same_person(plan.candidate.username, plan.sponsor.username)
        ):
            self.problem(
                "$.sponsor",
                f"the sponsor cannot be the candidate (both are {plan.candidate.username})",
            )
            plan.sponsor = None
        if self.sound("$.guide"):
            plan.guide = self.guide(data["guide"], "$.guide")
        if self.sound("$.opened_on"):
            plan.opened_on = self.date(data["opened_on"], "$.opened_on", happened=False)
        plan.narrative = data.get("narrative", "")
        evidence = self.entries(data, "evidence")
        for index, item in evidence:
            self.evidence(item, f"$.evidence[{index}]")
        seen: dict[datetime.date, int] = {}
        for index, check_in in self.entries(data, "check_ins"):
            path = f"$.check_ins[{index}]"
            date = self.check_in(check_in, path)
            if date is None:
                continue
            if date in seen:
                self.problem(
                    f"{path}.date",
                    f"$.check_ins[{seen[date]}] is on {date} too; there is one check-in a day",
                )
            seen.setdefault(date, index)
        listed = data.get("evidence", [])
        count = len(listed) if isinstance(listed, list) else 0
        for index, message in self.entries(data, "feedback"):
            self.feedback(message, f"$.feedback[{index}]", count)
        self.threads_within_limit()
        plan.cycle_record = read_record(
            data,
            sound=self.sound,
            capabilities=self.capabilities if plan.guide else None,
            problem=self.problem,
        )
        self.existing_people()

    def listed(self, values: Any, path: str) -> list:
        """The entries of a list, each to be checked on its own; none of a list over its limit,
        or of something that is not a list."""
        if not isinstance(values, list) or path in self.refused:
            return []
        return values

    def entries(self, data: dict, key: str) -> list[tuple[int, dict]]:
        """The objects of one of the packet's lists, by position."""
        values = self.listed(data.get(key, []), f"$.{key}")
        return [(index, value) for index, value in enumerate(values) if isinstance(value, dict)]

    def threads_within_limit(self) -> None:
        counts = Counter(message.evidence for message in self.plan.feedback)
        for index, count in sorted(counts.items()):
            if count > MAX_MESSAGES_PER_THREAD:
                self.problem(
                    "$.feedback",
                    f"$.evidence[{index}] has {count} messages; an evidence item's thread can "
                    f"hold at most {MAX_MESSAGES_PER_THREAD}",
                )

    def date(self, value: str, path: str, *, happened: bool) -> datetime.date | None:
        """A date of the right shape, held to the rule of every date (core/dates.py)."""
        date = datetime.date.fromisoformat(value)
        if problem := date_problem(date, happened=happened, today=self.today):
            self.problem(path, f"{DATE_NAMES[place_of(path)]} {value} {problem}")
            return None
        return date

    def moment(self, value: str, path: str) -> datetime.datetime | None:
        """A date and time of the right shape that is real and has happened."""
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            self.problem(path, f"expected {MOMENT_WORDS}, found {show(value)}")
            return None
        # Something that happened: no later than now, which is finer than today.
        if moment > self.now:
            problem = "cannot be in the future"
        else:
            problem = date_problem(moment.date(), happened=True, today=self.today)
        if problem:
            self.problem(path, f"the time {value} {problem}")
            return None
        return moment

    def person(self, person: dict, path: str) -> PlannedPerson | None:
        """Whether the username and email are ones this app can hold."""
        username = person["username"]
        try:
            User.username_validator(username)
            if unicodedata.normalize("NFKC", username) != username:
                raise ValidationError("not in normal form")
        except ValidationError:
            self.problem(
                f"{path}.username",
                f"a username may hold only letters, digits and @ . + - _, found {show(username)}",
            )
            username = None
        email = person.get("email", "")
        if email:
            try:
                EmailValidator()(email)
            except ValidationError:
                self.problem(f"{path}.email", f"{show(email)} is not an email address")
                email = None
        if username is None or email is None:
            return None
        return PlannedPerson(username, person.get("name", ""), email)

    def guide(self, ref: dict, path: str) -> Guide | None:
        # JSON Schema's whole numbers include 2.0, which is 2.
        from_code, to_code, version = ref["from"], ref["to"], int(ref["version"])
        wanted = guide_label(from_code, to_code, version)
        pair = list(
            Guide.objects.with_levels().filter(from_level__code=from_code, to_level__code=to_code)
        )
        guide = next((g for g in pair if g.version == version), None)
        if guide is not None and guide.status == Guide.Status.PUBLISHED:
            self.load_guide(guide)
            return guide
        published = [g for g in pair if g.status == Guide.Status.PUBLISHED]
        if published:
            found = f"published versions of {from_code} → {to_code}: " + ", ".join(
                f"v{g.version}" for g in sorted(published, key=lambda g: g.version)
            )
        else:
            others = [g.label for g in Guide.objects.published().with_levels()]
            found = f"published guides here: {', '.join(others)}" if others else "none published"
        if guide is not None:
            state = guide.get_status_display().lower()
            self.problem(path, f"{wanted} is {state}, not published ({found})")
        else:
            self.problem(path, f"there is no guide {wanted} here ({found})")
        return None

    def load_guide(self, guide: Guide) -> None:
        capabilities = guide.capabilities.prefetch_related(
            Prefetch("indicators", queryset=Indicator.objects.order_by("position"))
        )
        for capability in capabilities:
            self.capabilities[capability.number] = capability
            self.indicators[capability.number] = {
                i.position: i for i in capability.indicators.all()
            }
        self.questions = {q.position: q for q in guide.questions.all()}

    def evidence(self, item: dict, path: str) -> None:
        """The capability and indicators exist in the guide; the date is one the forms take."""
        guide = self.plan.guide
        capability = None
        if self.sound(f"{path}.capability") and guide is not None:
            number = int(item["capability"])
            capability = self.capabilities.get(number)
            if capability is None:
                self.problem(
                    f"{path}.capability",
                    f"capability {number} does not exist in {guide.label} "
                    f"(it has {span(list(self.capabilities))})",
                )
        indicators = []
        positions = item.get("indicators", [])
        for index, position in enumerate(self.listed(positions, f"{path}.indicators")):
            where = f"{path}.indicators[{index}]"
            if capability is None or not self.sound(where):
                continue
            of_capability = self.indicators[capability.number]
            position = int(position)
            if position in of_capability:
                indicators.append(of_capability[position])
            else:
                self.problem(
                    where,
                    f"indicator {position} is not one of capability {capability.number}'s "
                    f"indicators ({span(list(of_capability))})",
                )
        date = None
        if self.sound(f"{path}.date"):
            date = self.date(item["date"], f"{path}.date", happened=True)
        links = item.get("links", [])
        for index, link in enumerate(self.listed(links, f"{path}.links")):
            where = f"{path}.links[{index}]"
            if not self.sound(where):
                continue
            try:
                URLValidator(schemes=["http", "https"])(link)
            except ValidationError:
                self.problem(
                    where, f"{show(link)} is not a web address starting with http:// or https://"
                )
        if (
            not self.sound(path)
            or capability is None
            or date is None
            or len(indicators) != len(positions)
        ):
            return
        self.plan.evidence.append(
            PlannedItem(
                capability,
                indicators,
                item["title"],
                date,
                item.get("summary", ""),
                item.get("outcome", ""),
                links,
            )
        )

    def check_in(self, check_in: dict, path: str) -> datetime.date | None:
        """Checks one check-in and returns its date, for the one-a-day rule."""
        date = None
        if self.sound(f"{path}.date"):
            date = self.date(check_in["date"], f"{path}.date", happened=True)
        answers = self.by_question(check_in, "answers", path)
        notes = self.by_question(check_in, "notes", path)
        if self.plan.guide is not None and isinstance(check_in.get("answers"), dict):
            named = {int(key) for key in check_in["answers"] if QUESTION_NUMBER.fullmatch(key)}
            missing = sorted(set(self.questions) - named)
            if missing:
                which = ", ".join(str(n) for n in missing)
                noun = "question" if len(missing) == 1 else "questions"
                verb = "is" if len(missing) == 1 else "are"
                self.problem(
                    f"{path}.answers", f"{noun} {which} {verb} not answered; answer every question"
                )
                answers = None
        if None not in (date, answers, notes) and self.plan.guide and self.sound(path):
            self.plan.check_ins.append(
                PlannedCheckIn(
                    date,
                    [
                        (self.questions[number], answer, notes.get(number, ""))
                        for number, answer in sorted(answers.items())
                    ],
                )
            )
        return date

    def by_question(self, check_in: dict, key: str, path: str) -> dict[int, str] | None:
        """A check-in's answers or notes by question, each of a question of the guide."""
        values = check_in.get(key, {})
        if not isinstance(values, dict):
            return None
        by_number: dict[int, str] = {}
        guide = self.plan.guide
        for name, value in values.items():
            where = key_path(f"{path}.{key}", name)
            if not self.sound(where):
                continue
            number = int(name)
            if guide is not None and number not in self.questions:
                self.problem(
                    where,
                    f"question {number} does not exist in {guide.label} "
                    f"(it has {span(list(self.questions))})",
                )
                continue
            by_number[number] = value
        return by_number if len(by_number) == len(values) else None

    def feedback(self, message: dict, path: str, evidence_count: int) -> None:
        """The item exists, the author is one of the two people and may give this kind."""
        index = None
        if self.sound(f"{path}.evidence"):
            index = int(message["evidence"])
            if not 0 <= index < evidence_count:
                self.problem(
                    f"{path}.evidence",
                    f"there is no evidence item {index} "
                    f"(the packet has {evidence_count}, counted from 0)",
                )
                index = None
        author = None
        candidate, sponsor = self.plan.candidate, self.plan.sponsor
        # Without both people there is a problem already, and nobody to compare with.
        if self.sound(f"{path}.author") and candidate is not None and sponsor is not None:
            author = message["author"]
            if same_person(author, sponsor.username):
                author = "sponsor"
            elif same_person(author, candidate.username):
                author = "candidate"
            else:
                self.problem(
                    f"{path}.author",
                    f"the author must be the candidate ({candidate.username}) or the "
                    f"sponsor ({sponsor.username}), found {show(author)}",
                )
                author = None
        kind = message.get("kind") if self.sound(f"{path}.kind") else None
        if kind in Feedback.SPONSOR_KINDS and author == "candidate":
            self.problem(
                f"{path}.kind",
                f"only the sponsor can endorse, question or ask for more; "
                f"{candidate.username} can only reply",
            )
            kind = None
        at = None
        if message.get("at") is not None and self.sound(f"{path}.at"):
            at = self.moment(message["at"], f"{path}.at")
            if at is None:
                return
        # An earlier import's mark, as this app exports it: checked, then left behind, since
        # this import marks every message anew.
        imported = message.get("imported")
        if (
            isinstance(imported, dict)
            and self.sound(f"{path}.imported.at")
            and self.moment(imported["at"], f"{path}.imported.at") is None
        ):
            return
        if None in (index, author, kind) or not self.sound(path):
            return
        self.plan.feedback.append(PlannedMessage(index, author, kind, message["text"], at))

    def existing_people(self) -> None:
        """Who of the people named is here already, and what this database says of them:
        sponsor level, open cases, HR."""
        plan = self.plan
        named = [(role, getattr(plan, role)) for role in ("candidate", "sponsor")]
        for role, person in named:
            if person is None:
                continue
            users = people_named(person.username, User.objects.select_related("current_level"))
            if len(users) > 1:
                self.problem(
                    f"$.{role}",
                    f"{show(person.username)} could be any of {len(users)} people here "
                    f"({', '.join(u.username for u in users)}), whose usernames differ only in "
                    "capitals or in letters that look alike; rename them so that each can be told "
                    "apart",
                )
            elif users:
                plan.linked.append(LinkedPerson(role, person, users[0]))
        if plan.guide is None:
            return
        sponsor = plan.existing("sponsor")
        if sponsor is not None and (problem := sponsor_problem(sponsor, plan.guide)):
            self.problem("$.sponsor", problem)
        candidate = plan.existing("candidate")
        if candidate is None:
            return
        if roles_for(candidate).hr:
            self.problem(
                "$.candidate",
                f"{candidate.display_name} ({candidate.username}) works in HR here, and HR "
                "decides promotions: an import cannot make them a candidate. HR can open their "
                "case on the Open a case page, for another HR person to decide",
            )
        if Case.objects.active().filter(candidate=candidate, guide=plan.guide).exists():
            self.problem(
                "$.candidate",
                f"{candidate.display_name} ({candidate.username}) already has an open case "
                f"on {plan.guide.label}",
            )


def check_packet(data: Any) -> PacketChecker:
    checker = PacketChecker()
    checker.packet(data)
    return checker


def validate_packet(data: Any) -> list[PacketProblem]:
    """Every problem of a parsed packet, by JSON path; empty when it can be imported.

    Reads the database (the guide, the people) and writes nothing.
    """
    return check_packet(data).problems


def _paths_above(path: str) -> list[str]:
    """`$.evidence[3].title` → `$`, `$.evidence`, `$.evidence[3]`, `$.evidence[3].title`."""
    cuts = [match.start() for match in re.finditer(r"\.|\[", path)]
    return [path[:cut] for cut in cuts] + [path]
