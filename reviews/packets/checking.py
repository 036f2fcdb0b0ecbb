"""Checking a packet before it is imported: every problem, by JSON path, and what the valid parts
say, resolved against this database (the guide version, its capabilities and questions, the
people). Nothing is written here; reviews/packets/importing.py writes a packet with no problem.

One walk over the packet, in one class of about 450 lines: each part is checked against what the
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
from guides.models import Capability, Guide, Indicator, Question, guide_label
from reviews.limits import (
    MAX_CHECK_INS_PER_CASE,
    MAX_EVIDENCE_PER_CASE,
    MAX_FEEDBACK_PER_CASE,
    MAX_MESSAGES_PER_THREAD,
)
from reviews.models import MAX_LINKS, Answer, Case, Feedback
from reviews.packets.build import FORMAT
from reviews.packets.shapes import JsonChecker, PacketProblem, choices, key_path, show, span
from reviews.roles import roles_for
from reviews.services import sponsor_problem

# The limits of the forms that edit the same fields, so an imported case stays editable.
MAX_TITLE = 200
MAX_MARKDOWN = 20_000
MAX_NARRATIVE = 50_000
MAX_FEEDBACK = 5000
MAX_NOTE = 2000
MAX_LINK = 500
MAX_NAME = 150
MAX_EMAIL = 254
MAX_LEVEL_CODE = 10
MAX_VERSION = 32767  # the guide's version is a smallint

TOP_LEVEL_KEYS = (
    "format",
    "candidate",
    "sponsor",
    "guide",
    "opened_on",
    "status",
    "narrative",
    "evidence",
    "check_ins",
    "feedback",
    "sign_offs",
    "decision",
    "readiness",
    "level_history",
)
ANSWER_VALUES = tuple(Answer.Value.values)
FEEDBACK_KINDS = tuple(Feedback.Kind.values)
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

    def existing(self, role: str) -> User | None:
        return next((p.user for p in self.linked if p.role == role), None)


class PacketChecker(JsonChecker):
    """Walks a packet once, collecting every problem and what the valid parts say."""

    def __init__(self) -> None:
        super().__init__()
        self.plan = Plan()
        self.capabilities: dict[int, Capability] = {}
        self.indicators: dict[int, dict[int, Indicator]] = {}
        self.questions: dict[int, Question] = {}

    def packet(self, data: Any) -> None:
        if not isinstance(data, dict):
            self.problem("$", f"expected a packet: a JSON object, found {show(data)}")
            return
        if data.get("format") != FORMAT:
            found = show(data["format"]) if "format" in data else "none"
            self.problem("$.format", f"expected format '{FORMAT}', found {found}")
        self.mapping(
            data,
            "$",
            TOP_LEVEL_KEYS,
            {
                "candidate": "a candidate is required",
                "sponsor": "a sponsor is required",
                "guide": "a guide is required: {from, to, version}",
                "opened_on": "the opening date is required (YYYY-MM-DD)",
            },
        )
        plan = self.plan
        if "candidate" in data:
            plan.candidate = self.person(data["candidate"], "$.candidate")
        if "sponsor" in data:
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
        if "guide" in data:
            plan.guide = self.guide(data["guide"], "$.guide")
        if "opened_on" in data:
            plan.opened_on = self.date(
                data["opened_on"], "$.opened_on", "opening date", happened=False
            )
        if "status" in data:
            status = data["status"]
            if not isinstance(status, str) or status not in Case.Status.values:
                self.problem(
                    "$.status",
                    f"expected {choices(tuple(Case.Status.values))}, found {show(status)}",
                )
        if "narrative" in data:
            plan.narrative = (
                self.text(data["narrative"], "$.narrative", max_length=MAX_NARRATIVE) or ""
            )
        evidence = self.array(data.get("evidence", []), "$.evidence") or []
        for index, item in enumerate(
            self.within(evidence, "$.evidence", MAX_EVIDENCE_PER_CASE, "evidence items")
        ):
            self.evidence(item, f"$.evidence[{index}]")
        check_ins = self.array(data.get("check_ins", []), "$.check_ins") or []
        seen: dict[datetime.date, int] = {}
        for index, check_in in enumerate(
            self.within(check_ins, "$.check_ins", MAX_CHECK_INS_PER_CASE, "check-ins")
        ):
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
        feedback = self.array(data.get("feedback", []), "$.feedback") or []
        for index, message in enumerate(
            self.within(feedback, "$.feedback", MAX_FEEDBACK_PER_CASE, "feedback messages")
        ):
            self.feedback(message, f"$.feedback[{index}]", len(evidence))
        self.threads_within_limit()
        self.existing_people()

    def within(self, values: list, path: str, limit: int, what: str) -> list:
        """`values` when a case may hold that many, else none of them and the problem said once:
        a list over its limit is refused whole, without a problem for each of its entries."""
        if len(values) <= limit:
            return values
        self.problem(
            path, f"a case can hold at most {limit:,} {what}, and this packet has {len(values):,}"
        )
        return []

    def threads_within_limit(self) -> None:
        counts = Counter(message.evidence for message in self.plan.feedback)
        for index, count in sorted(counts.items()):
            if count > MAX_MESSAGES_PER_THREAD:
                self.problem(
                    "$.feedback",
                    f"$.evidence[{index}] has {count} messages; an evidence item's thread can "
                    f"hold at most {MAX_MESSAGES_PER_THREAD}",
                )

    def person(self, value: Any, path: str) -> PlannedPerson | None:
        person = self.mapping(
            value,
            path,
            ("username", "name", "email"),
            {"username": "a username is required"},
        )
        if person is None:
            return None
        username = None
        if "username" in person:
            username = self.text(
                person["username"], f"{path}.username", max_length=150, blank="is empty"
            )
        if username is not None:
            try:
                User.username_validator(username)
                if unicodedata.normalize("NFKC", username) != username:
                    raise ValidationError("not in normal form")
            except ValidationError:
                self.problem(
                    f"{path}.username",
                    "a username may hold only letters, digits and @ . + - _, "
                    f"found {show(username)}",
                )
                username = None
        name = self.text(person.get("name", ""), f"{path}.name", max_length=MAX_NAME)
        email = self.text(person.get("email", ""), f"{path}.email", max_length=MAX_EMAIL)
        if email:
            try:
                EmailValidator()(email)
            except ValidationError:
                self.problem(f"{path}.email", f"{show(email)} is not an email address")
                email = None
        if username is None or name is None or email is None:
            return None
        return PlannedPerson(username, name, email)

    def guide(self, value: Any, path: str) -> Guide | None:
        ref = self.mapping(
            value,
            path,
            ("from", "to", "version"),
            {
                "from": "the level the guide starts from is required, such as 'M3'",
                "to": "the level the guide leads to is required, such as 'E1'",
                "version": "the guide's version is required, such as 1",
            },
        )
        if ref is None:
            return None
        codes = []
        for key in ("from", "to"):
            if key in ref:
                codes.append(
                    self.text(
                        ref[key], f"{path}.{key}", max_length=MAX_LEVEL_CODE, blank="is empty"
                    )
                )
        version = None
        if "version" in ref:
            version = self.integer(ref["version"], f"{path}.version")
            if version is not None and not 1 <= version <= MAX_VERSION:
                self.problem(f"{path}.version", f"expected a version from 1, found {version}")
                version = None
        if len(codes) != 2 or None in codes or version is None:
            return None
        from_code, to_code = codes
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

    def evidence(self, value: Any, path: str) -> None:
        item = self.mapping(
            value,
            path,
            ("capability", "indicators", "title", "date", "summary", "outcome", "links"),
            {
                "capability": "the capability's number is required",
                "title": "a title is required",
                "date": "the date of the work is required (YYYY-MM-DD)",
            },
        )
        if item is None:
            return
        guide = self.plan.guide
        capability = None
        if "capability" in item:
            number = self.integer(item["capability"], f"{path}.capability")
            if number is not None and guide is not None:
                capability = self.capabilities.get(number)
                if capability is None:
                    self.problem(
                        f"{path}.capability",
                        f"capability {number} does not exist in {guide.label} "
                        f"(it has {span(list(self.capabilities))})",
                    )
        indicators = []
        positions = self.array(item.get("indicators", []), f"{path}.indicators") or []
        seen = set()
        for index, position in enumerate(positions):
            where = f"{path}.indicators[{index}]"
            position = self.integer(position, where)
            if position is None:
                continue
            if position in seen:
                self.problem(where, f"indicator {position} is listed twice")
                continue
            seen.add(position)
            if capability is not None:
                of_capability = self.indicators[capability.number]
                if position not in of_capability:
                    self.problem(
                        where,
                        f"indicator {position} is not one of capability {capability.number}'s "
                        f"indicators ({span(list(of_capability))})",
                    )
                else:
                    indicators.append(of_capability[position])
        title = None
        if "title" in item:
            title = self.text(
                item["title"], f"{path}.title", max_length=MAX_TITLE, blank="the title is empty"
            )
        date = None
        if "date" in item:
            date = self.date(item["date"], f"{path}.date", "evidence date", happened=True)
        summary = self.text(item.get("summary", ""), f"{path}.summary", max_length=MAX_MARKDOWN)
        outcome = self.text(item.get("outcome", ""), f"{path}.outcome", max_length=MAX_MARKDOWN)
        links = self.links(item.get("links", []), f"{path}.links")
        if None in (capability, title, date, summary, outcome, links):
            return
        if len(indicators) != len(positions):
            return
        self.plan.evidence.append(
            PlannedItem(capability, indicators, title, date, summary, outcome, links)
        )

    def links(self, value: Any, path: str) -> list[str] | None:
        links = self.array(value, path)
        if links is None:
            return None
        valid = True
        if len(links) > MAX_LINKS:
            self.problem(path, f"at most {MAX_LINKS} links ({len(links)} given)")
            valid = False
        check = URLValidator(schemes=["http", "https"])
        for index, link in enumerate(links):
            where = f"{path}[{index}]"
            link = self.text(link, where, max_length=MAX_LINK)
            if link is None:
                valid = False
                continue
            try:
                check(link)
            except ValidationError:
                self.problem(
                    where, f"{show(link)} is not a web address starting with http:// or https://"
                )
                valid = False
        return links if valid else None

    def check_in(self, value: Any, path: str) -> datetime.date | None:
        """Checks one check-in and returns its date, for the one-a-day rule."""
        check_in = self.mapping(
            value,
            path,
            ("date", "answers", "notes"),
            {
                "date": "the check-in's date is required (YYYY-MM-DD)",
                "answers": "the answers are required, by question number",
            },
        )
        if check_in is None:
            return None
        date = None
        if "date" in check_in:
            date = self.date(check_in["date"], f"{path}.date", "check-in date", happened=True)
        answers = None
        if "answers" in check_in:
            answers = self.answers(check_in["answers"], f"{path}.answers")
        notes = self.notes(check_in.get("notes", {}), f"{path}.notes")
        if None not in (date, answers, notes) and self.plan.guide is not None:
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

    def question_number(self, key: Any, path: str) -> int | None:
        if not isinstance(key, str) or not QUESTION_NUMBER.fullmatch(key):
            self.problem(path, f'expected a question number such as "1", found {show(key)}')
            return None
        number = int(key)
        guide = self.plan.guide
        if guide is not None and number not in self.questions:
            self.problem(
                path,
                f"question {number} does not exist in {guide.label} "
                f"(it has {span(list(self.questions))})",
            )
            return None
        return number

    def answers(self, value: Any, path: str) -> dict[int, str] | None:
        if not isinstance(value, dict):
            self.problem(
                path, f"expected an object of answers by question number, found {show(value)}"
            )
            return None
        answers: dict[int, str] = {}
        named: set[int] = set()
        for key, answer in value.items():
            where = key_path(path, str(key))
            number = self.question_number(key, where)
            if number is not None:
                named.add(number)
            if not isinstance(answer, str) or answer not in ANSWER_VALUES:
                self.problem(where, f"expected {choices(ANSWER_VALUES)}, found {show(answer)}")
            elif number is not None:
                answers[number] = answer
        valid = len(answers) == len(value)
        if self.plan.guide is not None:
            missing = sorted(set(self.questions) - named)
            if missing:
                which = ", ".join(str(n) for n in missing)
                noun = "question" if len(missing) == 1 else "questions"
                verb = "is" if len(missing) == 1 else "are"
                self.problem(path, f"{noun} {which} {verb} not answered; answer every question")
                valid = False
        return answers if valid else None

    def notes(self, value: Any, path: str) -> dict[int, str] | None:
        if not isinstance(value, dict):
            self.problem(
                path, f"expected an object of notes by question number, found {show(value)}"
            )
            return None
        notes: dict[int, str] = {}
        for key, note in value.items():
            where = key_path(path, str(key))
            number = self.question_number(key, where)
            note = self.text(note, where, max_length=MAX_NOTE)
            if number is not None and note is not None:
                notes[number] = note
        return notes if len(notes) == len(value) else None

    def feedback(self, value: Any, path: str, evidence_count: int) -> None:
        message = self.mapping(
            value,
            path,
            ("evidence", "author", "kind", "text", "at", "imported"),
            {
                "evidence": "the evidence item's index is required",
                "author": "the author's username is required",
                "kind": f"the kind is required: {choices(FEEDBACK_KINDS)}",
                "text": "the text is required",
            },
        )
        if message is None:
            return
        index = None
        if "evidence" in message:
            index = self.integer(message["evidence"], f"{path}.evidence")
            if index is not None and not 0 <= index < evidence_count:
                self.problem(
                    f"{path}.evidence",
                    f"there is no evidence item {index} "
                    f"(the packet has {evidence_count}, counted from 0)",
                )
                index = None
        author = None
        candidate, sponsor = self.plan.candidate, self.plan.sponsor
        if "author" in message:
            author = self.text(
                message["author"], f"{path}.author", max_length=150, blank="is empty"
            )
            # Without both people there is a problem already, and nobody to compare with.
            if author is not None and candidate is not None and sponsor is not None:
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
            else:
                author = None
        kind = None
        if "kind" in message:
            kind = message["kind"]
            if not isinstance(kind, str) or kind not in FEEDBACK_KINDS:
                self.problem(
                    f"{path}.kind", f"expected {choices(FEEDBACK_KINDS)}, found {show(kind)}"
                )
                kind = None
            elif kind in Feedback.SPONSOR_KINDS and author == "candidate":
                self.problem(
                    f"{path}.kind",
                    f"only the sponsor can endorse, question or ask for more; "
                    f"{candidate.username} can only reply",
                )
                kind = None
        text = None
        if "text" in message:
            # An endorsement may come without a message, as the app lets a sponsor give it.
            blank = None if kind == Feedback.Kind.ENDORSE else "the text is empty"
            text = self.text(message["text"], f"{path}.text", max_length=MAX_FEEDBACK, blank=blank)
        at = None
        if message.get("at") is not None:
            at = self.moment(message["at"], f"{path}.at")
            if at is None:
                return
        if message.get("imported") is not None and not self.imported(
            message["imported"], f"{path}.imported"
        ):
            return
        if None in (index, author, kind, text):
            return
        self.plan.feedback.append(PlannedMessage(index, author, kind, text, at))

    def imported(self, value: Any, path: str) -> bool:
        """An earlier import's mark, as this app exports it: checked, then left behind, since
        this import marks every message anew."""
        mark = self.mapping(value, path, ("by", "at"), {"at": "the time of the import is required"})
        if mark is None:
            return False
        valid = True
        if mark.get("by") is not None:
            valid = self.text(mark["by"], f"{path}.by", max_length=150) is not None
        if "at" in mark:
            valid = self.moment(mark["at"], f"{path}.at") is not None and valid
        return valid and "at" in mark

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
