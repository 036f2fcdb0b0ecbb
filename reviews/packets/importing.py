"""Importing a case from a promotion packet (DESIGN.md, "Packets"; format "promotion-packet/1").

Organisations moving their brag documents in, and cases moving between installations, arrive as
the JSON that `reviews.packets.build_packet` exports. The whole packet is checked before anything
is written and every problem is reported with its JSON path (`$.evidence[3].indicators[1]`); a
packet with any problem is refused whole. Then the case is written in one transaction.

What is imported: the people, the guide version it is pinned to, the opening date, the narrative,
the evidence with its indicators and links, the check-ins with their answers and notes, and the
feedback threads.

What is not:
- `sign_offs` and `decision` are the receiving organisation's own acts, and each sign-off holds
  the hash of the sender's data, so both are ignored; so is `readiness`, which is computed here.
- `status` must be one of the case statuses, but the case is always opened as "open": signing
  off and deciding happen again here, on what was imported.
- Users are matched by username. A missing user is created without a usable password, with the
  packet's name and email; an existing user's data is never changed, except that a candidate
  with no level gets the guide's starting level. A new sponsor gets the guide's target level
  (the packet names them as sponsor of this guide, which needs that level); an existing sponsor
  below it is a problem, since promoting people is not an import's business.
- Feedback keeps its time (`at`) when one is given, otherwise it is dated at the import.
"""

import datetime
import json
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import pghistory
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.db.models import Prefetch

from accounts.models import User
from core import clock
from guides.models import Capability, Guide, Indicator, Question
from reviews.models import MAX_LINKS, Answer, Case, CheckIn, Evidence, Feedback
from reviews.packets.build import FORMAT
from reviews.services import open_case, sponsor_problem

MAX_PACKET_BYTES = 20 * 1024 * 1024

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
EARLIEST = datetime.date(1900, 1, 1)

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
)
ANSWER_VALUES = tuple(Answer.Value.values)
FEEDBACK_KINDS = tuple(Feedback.Kind.values)
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
QUESTION_NUMBER = re.compile(r"[1-9][0-9]{0,4}")
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class PacketProblem(NamedTuple):
    path: str
    message: str


class PacketRefused(ValueError):
    """The packet was refused whole; nothing was written."""

    def __init__(self, problems: list[PacketProblem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(f"{p.path}: {p.message}" for p in self.problems))


@dataclass(frozen=True)
class _Person:
    username: str
    name: str
    email: str


@dataclass(frozen=True)
class _Item:
    capability: Capability
    indicators: list[Indicator]
    title: str
    date: datetime.date
    summary: str
    outcome: str
    links: list[str]


@dataclass(frozen=True)
class _CheckIn:
    date: datetime.date
    answers: list[tuple[Question, str, str]]


@dataclass(frozen=True)
class _Message:
    evidence: int
    author: str
    kind: str
    text: str
    at: datetime.datetime | None


@dataclass
class _Plan:
    """What a valid packet says, resolved against this database."""

    guide: Guide | None = None
    candidate: _Person | None = None
    sponsor: _Person | None = None
    opened_on: datetime.date | None = None
    narrative: str = ""
    evidence: list[_Item] = field(default_factory=list)
    check_ins: list[_CheckIn] = field(default_factory=list)
    feedback: list[_Message] = field(default_factory=list)


def _key_path(path: str, key: str) -> str:
    if IDENTIFIER.fullmatch(key):
        return f"{path}.{key}"
    return f"{path}[{json.dumps(key)}]"


def _show(value: Any) -> str:
    """A value as a problem message quotes it: short, and never the whole of a long text."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        text = repr(value)
        return text if len(text) <= 40 else f"{text[:40]}…"
    if isinstance(value, str):
        shown = "".join(
            c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in value[:60]
        )
        return f"'{shown}…'" if len(value) > 60 else f"'{shown}'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _span(numbers: list[int]) -> str:
    """1, 2, 3, 4 as "1–4"; gaps listed one by one."""
    if not numbers:
        return "none"
    numbers = sorted(numbers)
    if len(numbers) > 1 and numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"{numbers[0]}–{numbers[-1]}"
    return ", ".join(str(n) for n in numbers)


def _choices(values: tuple[str, ...]) -> str:
    quoted = [f"'{v}'" for v in values]
    return f"{', '.join(quoted[:-1])} or {quoted[-1]}"


def _guide_name(guide: Guide) -> str:
    return f"{guide.from_level.code} → {guide.to_level.code} v{guide.version}"


class _Checker:
    """Walks a packet once, collecting every problem and what the valid parts say."""

    def __init__(self) -> None:
        self.problems: list[PacketProblem] = []
        self.plan = _Plan()
        self.today = clock.today()
        self.now = clock.now()
        self.capabilities: dict[int, Capability] = {}
        self.indicators: dict[int, dict[int, Indicator]] = {}
        self.questions: dict[int, Question] = {}

    def problem(self, path: str, message: str) -> None:
        self.problems.append(PacketProblem(path, message))

    # Shapes

    def mapping(
        self, value: Any, path: str, keys: tuple[str, ...], required: dict[str, str]
    ) -> dict | None:
        """`value` as an object with only `keys`; `required` maps a key to the message if absent."""
        if not isinstance(value, dict):
            self.problem(path, f"expected an object, found {_show(value)}")
            return None
        for key, message in required.items():
            if key not in value:
                self.problem(_key_path(path, key), message)
        for key in value:
            if key not in keys:
                self.problem(
                    _key_path(path, str(key)),
                    f"unknown key; expected only {', '.join(keys)}",
                )
        return value

    def array(self, value: Any, path: str) -> list | None:
        if not isinstance(value, list):
            self.problem(path, f"expected a list, found {_show(value)}")
            return None
        return value

    def text(
        self, value: Any, path: str, *, max_length: int, blank: str | None = None
    ) -> str | None:
        """A string within `max_length`; `blank` is the message for an empty one, if refused."""
        if not isinstance(value, str):
            self.problem(path, f"expected text, found {_show(value)}")
            return None
        if "\x00" in value:
            self.problem(path, "contains a NUL character, which cannot be stored")
            return None
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            self.problem(path, "contains an unpaired surrogate, which is not valid Unicode")
            return None
        if blank is not None and not value.strip():
            self.problem(path, blank)
            return None
        if len(value) > max_length:
            self.problem(path, f"is {len(value):,} characters long; the limit is {max_length:,}")
            return None
        return value

    def integer(self, value: Any, path: str) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(path, f"expected a whole number, found {_show(value)}")
            return None
        return value

    def date(self, value: Any, path: str, what: str) -> datetime.date | None:
        if not isinstance(value, str) or not ISO_DATE.fullmatch(value):
            self.problem(path, f"expected a date as YYYY-MM-DD, found {_show(value)}")
            return None
        try:
            date = datetime.date.fromisoformat(value)
        except ValueError:
            self.problem(path, f"{what} {value} is not a real date")
            return None
        if date > self.today:
            self.problem(path, f"{what} {value} is in the future")
            return None
        if date < EARLIEST:
            self.problem(path, f"{what} {value} is before {EARLIEST.year}")
            return None
        return date

    def moment(self, value: Any, path: str) -> datetime.datetime | None:
        expected = "expected a date and time with its time zone, such as 2025-02-10T09:00:00Z"
        if not isinstance(value, str):
            self.problem(path, f"{expected}, found {_show(value)}")
            return None
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None:
            self.problem(path, f"{expected}, found {_show(value)}")
            return None
        if moment > self.now:
            self.problem(path, f"the time {value} is in the future")
            return None
        if moment.date() < EARLIEST:
            self.problem(path, f"the time {value} is before {EARLIEST.year}")
            return None
        return moment

    # The packet

    def packet(self, data: Any) -> None:
        if not isinstance(data, dict):
            self.problem("$", f"expected a packet: a JSON object, found {_show(data)}")
            return
        if data.get("format") != FORMAT:
            found = _show(data["format"]) if "format" in data else "none"
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
        if plan.candidate and plan.sponsor and plan.candidate.username == plan.sponsor.username:
            self.problem(
                "$.sponsor",
                f"the sponsor cannot be the candidate (both are {plan.candidate.username})",
            )
            plan.sponsor = None
        if "guide" in data:
            plan.guide = self.guide(data["guide"], "$.guide")
        if "opened_on" in data:
            plan.opened_on = self.date(data["opened_on"], "$.opened_on", "opening date")
        if "status" in data:
            status = data["status"]
            if not isinstance(status, str) or status not in Case.Status.values:
                self.problem(
                    "$.status",
                    f"expected {_choices(tuple(Case.Status.values))}, found {_show(status)}",
                )
        if "narrative" in data:
            plan.narrative = (
                self.text(data["narrative"], "$.narrative", max_length=MAX_NARRATIVE) or ""
            )
        evidence = self.array(data.get("evidence", []), "$.evidence")
        for index, item in enumerate(evidence or []):
            self.evidence(item, f"$.evidence[{index}]")
        check_ins = self.array(data.get("check_ins", []), "$.check_ins")
        seen: dict[datetime.date, int] = {}
        for index, check_in in enumerate(check_ins or []):
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
        feedback = self.array(data.get("feedback", []), "$.feedback")
        for index, message in enumerate(feedback or []):
            self.feedback(message, f"$.feedback[{index}]", len(evidence or []))
        self.existing_people()

    def person(self, value: Any, path: str) -> _Person | None:
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
                    f"found {_show(username)}",
                )
                username = None
        name = self.text(person.get("name", ""), f"{path}.name", max_length=MAX_NAME)
        email = self.text(person.get("email", ""), f"{path}.email", max_length=MAX_EMAIL)
        if email:
            try:
                EmailValidator()(email)
            except ValidationError:
                self.problem(f"{path}.email", f"{_show(email)} is not an email address")
                email = None
        if username is None or name is None or email is None:
            return None
        return _Person(username, name, email)

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
        wanted = f"{from_code} → {to_code} v{version}"
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
            others = [_guide_name(g) for g in Guide.objects.published().with_levels()]
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
                        f"capability {number} does not exist in {_guide_name(guide)} "
                        f"(it has {_span(list(self.capabilities))})",
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
                        f"indicators ({_span(list(of_capability))})",
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
            date = self.date(item["date"], f"{path}.date", "evidence date")
        summary = self.text(item.get("summary", ""), f"{path}.summary", max_length=MAX_MARKDOWN)
        outcome = self.text(item.get("outcome", ""), f"{path}.outcome", max_length=MAX_MARKDOWN)
        links = self.links(item.get("links", []), f"{path}.links")
        if None in (capability, title, date, summary, outcome, links):
            return
        if len(indicators) != len(positions):
            return
        self.plan.evidence.append(
            _Item(capability, indicators, title, date, summary, outcome, links)
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
                    where, f"{_show(link)} is not a web address starting with http:// or https://"
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
            date = self.date(check_in["date"], f"{path}.date", "check-in date")
        answers = None
        if "answers" in check_in:
            answers = self.answers(check_in["answers"], f"{path}.answers")
        notes = self.notes(check_in.get("notes", {}), f"{path}.notes")
        if None not in (date, answers, notes) and self.plan.guide is not None:
            self.plan.check_ins.append(
                _CheckIn(
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
            self.problem(path, f'expected a question number such as "1", found {_show(key)}')
            return None
        number = int(key)
        guide = self.plan.guide
        if guide is not None and number not in self.questions:
            self.problem(
                path,
                f"question {number} does not exist in {_guide_name(guide)} "
                f"(it has {_span(list(self.questions))})",
            )
            return None
        return number

    def answers(self, value: Any, path: str) -> dict[int, str] | None:
        if not isinstance(value, dict):
            self.problem(
                path, f"expected an object of answers by question number, found {_show(value)}"
            )
            return None
        answers: dict[int, str] = {}
        named: set[int] = set()
        for key, answer in value.items():
            where = _key_path(path, str(key))
            number = self.question_number(key, where)
            if number is not None:
                named.add(number)
            if not isinstance(answer, str) or answer not in ANSWER_VALUES:
                self.problem(where, f"expected {_choices(ANSWER_VALUES)}, found {_show(answer)}")
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
                path, f"expected an object of notes by question number, found {_show(value)}"
            )
            return None
        notes: dict[int, str] = {}
        for key, note in value.items():
            where = _key_path(path, str(key))
            number = self.question_number(key, where)
            note = self.text(note, where, max_length=MAX_NOTE)
            if number is not None and note is not None:
                notes[number] = note
        return notes if len(notes) == len(value) else None

    def feedback(self, value: Any, path: str, evidence_count: int) -> None:
        message = self.mapping(
            value,
            path,
            ("evidence", "author", "kind", "text", "at"),
            {
                "evidence": "the evidence item's index is required",
                "author": "the author's username is required",
                "kind": f"the kind is required: {_choices(FEEDBACK_KINDS)}",
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
                if author not in (candidate.username, sponsor.username):
                    self.problem(
                        f"{path}.author",
                        f"the author must be the candidate ({candidate.username}) or the "
                        f"sponsor ({sponsor.username}), found {_show(author)}",
                    )
                    author = None
            else:
                author = None
        kind = None
        if "kind" in message:
            kind = message["kind"]
            if not isinstance(kind, str) or kind not in FEEDBACK_KINDS:
                self.problem(
                    f"{path}.kind", f"expected {_choices(FEEDBACK_KINDS)}, found {_show(kind)}"
                )
                kind = None
            elif (
                kind in Feedback.SPONSOR_KINDS and author is not None and author != sponsor.username
            ):
                self.problem(
                    f"{path}.kind",
                    f"only the sponsor can endorse, question or ask for more; "
                    f"{author} can only reply",
                )
                kind = None
        text = None
        if "text" in message:
            text = self.text(
                message["text"], f"{path}.text", max_length=MAX_FEEDBACK, blank="the text is empty"
            )
        at = None
        if message.get("at") is not None:
            at = self.moment(message["at"], f"{path}.at")
            if at is None:
                return
        if None in (index, author, kind, text):
            return
        self.plan.feedback.append(_Message(index, author, kind, text, at))

    def existing_people(self) -> None:
        """What this database already says about the people: sponsor level, open cases."""
        plan = self.plan
        people = [p.username for p in (plan.candidate, plan.sponsor) if p is not None]
        if not people or plan.guide is None:
            return
        users = {
            u.username: u
            for u in User.objects.select_related("current_level").filter(username__in=people)
        }
        sponsor = users.get(plan.sponsor.username) if plan.sponsor else None
        if sponsor is not None and (problem := sponsor_problem(sponsor, plan.guide)):
            self.problem("$.sponsor", problem)
        candidate = users.get(plan.candidate.username) if plan.candidate else None
        if (
            candidate is not None
            and Case.objects.active().filter(candidate=candidate, guide=plan.guide).exists()
        ):
            self.problem(
                "$.candidate",
                f"{candidate.display_name} ({candidate.username}) already has an open case "
                f"on {_guide_name(plan.guide)}",
            )


def _check(data: Any) -> _Checker:
    checker = _Checker()
    checker.packet(data)
    return checker


def validate_packet(data: Any) -> list[PacketProblem]:
    """Every problem of a parsed packet, by JSON path; empty when it can be imported.

    Reads the database (the guide, the people) and writes nothing.
    """
    return _check(data).problems


def load_packet_file(raw: bytes) -> dict:
    """A packet file's bytes as a JSON object, or PacketRefused saying why not (path "$")."""
    if len(raw) > MAX_PACKET_BYTES:
        raise PacketRefused(
            [
                PacketProblem(
                    "$",
                    f"the file is larger than the limit of {MAX_PACKET_BYTES // (1024 * 1024)} MB",
                )
            ]
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise PacketRefused(
            [
                PacketProblem(
                    "$",
                    f"the file is not UTF-8 text (byte 0x{raw[error.start]:02x} "
                    f"at offset {error.start})",
                )
            ]
        ) from None
    # A byte-order mark is how some editors on Windows say UTF-8; it is not part of the JSON.
    text = text.removeprefix("\ufeff")

    def refuse_constant(name: str):
        raise ValueError(f"{name} is not a JSON number")

    try:
        data = json.loads(text, parse_constant=refuse_constant)
    except json.JSONDecodeError as error:
        message = f"not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}"
        raise PacketRefused([PacketProblem("$", message)]) from None
    except RecursionError:
        raise PacketRefused([PacketProblem("$", "not valid JSON: nested too deeply")]) from None
    except ValueError as error:
        # Python refuses integers of more than 4300 digits, and NaN and Infinity are refused above.
        raise PacketRefused([PacketProblem("$", f"not valid JSON: {error}")]) from None
    if not isinstance(data, dict):
        raise PacketRefused(
            [PacketProblem("$", f"expected a packet: a JSON object, found {_show(data)}")]
        )
    return data


def import_packet(data: Any, *, imported_by=None) -> Case:
    """A new open case from a packet, all or nothing; PacketRefused lists every problem.

    `imported_by` is recorded as the author of the case's history.
    """
    checker = _check(data)
    if checker.problems:
        raise PacketRefused(checker.problems)
    context = {"user": imported_by.pk} if imported_by is not None else {}
    with pghistory.context(**context), transaction.atomic():
        return _write(checker.plan)


def import_packet_file(raw: bytes, *, imported_by=None) -> Case:
    """`load_packet_file` then `import_packet`: what an upload page needs."""
    return import_packet(load_packet_file(raw), imported_by=imported_by)


def _user(person: _Person, *, level) -> User:
    # get_or_create, so that two imports naming the same new person at once both find them.
    user, _ = User.objects.select_related("current_level").get_or_create(
        username=person.username,
        defaults={
            "name": person.name,
            "email": person.email,
            "current_level": level,
            # What set_unusable_password() stores: they sign in once an admin sets a password.
            "password": make_password(None),
        },
    )
    return user


_PATHS = {"candidate": "$.candidate", "sponsor": "$.sponsor", "guide": "$.guide"}


def _write(plan: _Plan) -> Case:
    guide = plan.guide
    candidate = _user(plan.candidate, level=guide.from_level)
    if candidate.current_level_id is None:
        candidate.current_level = guide.from_level
        candidate.save(update_fields=["current_level"])
    sponsor = _user(plan.sponsor, level=guide.to_level)
    try:
        case = open_case(
            candidate=candidate, sponsor=sponsor, guide=guide, opened_on=plan.opened_on
        )
    except ValidationError as error:
        by_field = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
        raise PacketRefused(
            [
                PacketProblem(_PATHS.get(key, "$"), message)
                for key, messages in by_field.items()
                for message in messages
            ]
        ) from None
    if plan.narrative:
        case.narrative = plan.narrative
        case.save(update_fields=["narrative"])

    evidence = Evidence.objects.bulk_create(
        Evidence(
            case=case,
            capability=item.capability,
            title=item.title,
            date=item.date,
            summary=item.summary,
            outcome=item.outcome,
            links=item.links,
        )
        for item in plan.evidence
    )
    tagging = Evidence.indicators.through
    tagging.objects.bulk_create(
        tagging(evidence_id=row.pk, indicator_id=indicator.pk)
        for row, item in zip(evidence, plan.evidence, strict=True)
        for indicator in item.indicators
    )

    check_ins = CheckIn.objects.bulk_create(
        CheckIn(case=case, date=check_in.date) for check_in in plan.check_ins
    )
    Answer.objects.bulk_create(
        Answer(check_in=row, question=question, value=value, note=note)
        for row, check_in in zip(check_ins, plan.check_ins, strict=True)
        for question, value, note in check_in.answers
    )

    people = {candidate.username: candidate, sponsor.username: sponsor}
    feedback = Feedback.objects.bulk_create(
        Feedback(
            case=case,
            evidence=evidence[message.evidence],
            author=people[message.author],
            kind=message.kind,
            text=message.text,
        )
        for message in plan.feedback
    )
    # created_at is auto_now_add, which overrides any value given on insert; the packet's times
    # are set by an update right after (bulk_update writes the attribute as it is).
    dated = []
    for row, message in zip(feedback, plan.feedback, strict=True):
        if message.at is not None:
            row.created_at = message.at
            dated.append(row)
    Feedback.objects.bulk_update(dated, ["created_at"])
    return case
