"""Importing a case from a promotion packet (DESIGN.md, "Packets"; formats "promotion-packet/1"
and "promotion-packet/2", which is version 1 with the case's cycle record).

Organisations moving their brag documents in, and cases moving between installations, arrive as
the JSON that `reviews.packets.build_packet` exports. The whole packet is checked before anything
is written, against the JSON Schema of its format and then against this database
(reviews/packets/checking.py), and every problem is reported with its JSON path
(`$.evidence[3].indicators[1]`); a packet with any problem is refused whole. Then the case is
written in one transaction.

What is imported: the people, the guide version it is pinned to, the opening date, the narrative,
the evidence with its indicators and links, the check-ins with their answers and notes, and the
feedback threads.

What is not:
- A version 2 file's `cycle` and `outcome` are checked and left behind too: the models hold an
  outcome only for a nomination to one of this organisation's cycles. The case the import
  returns says so in `left_behind`, sentences for the import's summary
  (reviews/packets/cycle_record.py).
- `sign_offs` and `decision` are the receiving organisation's own acts, and each sign-off holds
  the hash of the sender's data, so both are ignored; so is `readiness`, which is computed here,
  and `level_history`: the levels a person holds here are this organisation's record. A person
  the import creates, or a candidate it gives a level, starts their history here, at the case's
  opening (reason "import").
- `status` must be one of the case statuses, but the case is always opened as "open": signing
  off and deciding happen again here, on what was imported.
- Users are matched by username, without regard to capitals or to letters that look alike
  (accounts/usernames.py): "Sam" and "ѕam" with a Cyrillic ѕ are the existing "sam". A file
  can name anyone, so a packet that names people who are here already is imported only when
  the importer says so (`link_existing`), having seen who they are (`LinkingNeedsConfirmation`).
  A missing user is created without a usable password, with the packet's name and email; an
  existing user's data is never changed, except that a candidate with no level gets the
  guide's starting level. A new sponsor gets the guide's target level (the packet names them as
  sponsor of this guide, which needs that level); an existing sponsor below it is a problem,
  since promoting people is not an import's business; so is an existing HR person as the
  candidate, since HR decides promotions.
- Feedback keeps its time (`at`) when one is given, otherwise it is dated at the import, and
  is marked as imported, by whom and when, wherever it is shown: its author wrote it elsewhere,
  as far as the file says.
- A key that appears twice in one object is refused with its path: JSON readers keep one of
  the two, and which one is theirs to choose.
"""

import datetime
import hashlib
import json
from typing import Any

import pghistory
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.levels import change_level
from accounts.models import LevelChange, User
from core import clock
from reviews.models import Answer, Case, CheckIn, Evidence, Feedback
from reviews.packets.checking import LinkedPerson, Plan, PlannedPerson, check_packet
from reviews.packets.cycle_record import left_behind
from reviews.packets.shapes import PacketProblem, key_path, show
from reviews.services import open_case

MAX_PACKET_BYTES = 20 * 1024 * 1024


class PacketRefused(ValueError):
    """The packet was refused whole; nothing was written."""

    def __init__(self, problems: list[PacketProblem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(f"{p.path}: {p.message}" for p in self.problems))


class LinkingNeedsConfirmation(Exception):
    """The packet is valid, and names people who are here already; nothing was written."""

    def __init__(self, linked: list[LinkedPerson]) -> None:
        self.linked = list(linked)
        super().__init__(
            "; ".join(f"the {p.role} {p.named.username} is {p.user.username}" for p in linked)
        )


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

    # Each object with a key given more than once, with those keys and their counts.
    objects: list[tuple[dict, list[tuple[str, int]]]] = []

    def note_repeated_keys(pairs: list[tuple[str, Any]]) -> dict:
        found = dict(pairs)
        if len(found) < len(pairs):
            keys = [key for key, _ in pairs]
            objects.append((found, [(k, keys.count(k)) for k in found if keys.count(k) > 1]))
        return found

    try:
        data = json.loads(
            text, parse_constant=refuse_constant, object_pairs_hook=note_repeated_keys
        )
    except json.JSONDecodeError as error:
        message = f"not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}"
        raise PacketRefused([PacketProblem("$", message)]) from None
    except RecursionError:
        raise PacketRefused([PacketProblem("$", "not valid JSON: nested too deeply")]) from None
    except ValueError as error:
        # Python refuses integers of more than 4300 digits, and NaN and Infinity are refused above.
        raise PacketRefused([PacketProblem("$", f"not valid JSON: {error}")]) from None
    if objects:
        raise PacketRefused(_repeated_keys(data, dict((id(o), keys) for o, keys in objects)))
    if not isinstance(data, dict):
        raise PacketRefused(
            [PacketProblem("$", f"expected a packet: a JSON object, found {show(data)}")]
        )
    return data


def _repeated_keys(data: Any, repeated: dict[int, list[tuple[str, int]]]) -> list[PacketProblem]:
    """Each object that has a key twice, by its path, in the order of the file."""
    problems = []

    def walk(value: Any, path: str) -> None:
        if isinstance(value, dict):
            for key, count in repeated.get(id(value), []):
                times = "twice" if count == 2 else f"{count} times"
                quoted = json.dumps(key[:60], ensure_ascii=False) + ("…" if len(key) > 60 else "")
                problems.append(PacketProblem(path, f"the key {quoted} appears {times}"))
            for key, child in value.items():
                walk(child, key_path(path, key))
        elif isinstance(value, list):
            for index, child in enumerate(value):
                walk(child, f"{path}[{index}]")

    walk(data, "$")
    return problems


def import_packet(*, packet: Any, by: User | None, link_existing: bool = False) -> Case:
    """A new open case from a packet, all or nothing; PacketRefused lists every problem.

    A packet naming people who are here already is imported only with `link_existing`;
    without it, LinkingNeedsConfirmation says who they are. `by` is recorded as the author of
    the case's history and as the importer of its feedback (None from the command line).
    """
    return _import(packet, by, lambda linked: link_existing)


def import_packet_file(*, raw: bytes, by: User | None, confirmation: str = "") -> Case:
    """`load_packet_file` then `import_packet`, for the upload page: people who are here
    already are linked only when `confirmation` is the `linking_token` of this file and them."""
    packet = load_packet_file(raw)
    return _import(packet, by, lambda linked: confirmation == linking_token(raw, linked))


def linking_token(raw: bytes, linked: list[LinkedPerson]) -> str:
    """What an importer confirms: this file, linked to these people. The upload page asks for
    it back with the file, so that a confirmation holds for nothing else."""
    people = ",".join(f"{p.role}:{p.user.pk}" for p in linked)
    return hashlib.sha256(raw + b"\0" + people.encode()).hexdigest()


def _import(packet: Any, by: User | None, may_link) -> Case:
    # The candidate and sponsor are locked while the case is opened (`_write`), so that the
    # levels read and set are the ones the case is opened on.
    checker = check_packet(packet)
    if checker.problems:
        raise PacketRefused(checker.problems)
    linked = checker.plan.linked
    if linked and not may_link(linked):
        raise LinkingNeedsConfirmation(linked)
    context = {"user": by.pk} if by is not None else {}
    with pghistory.context(**context), transaction.atomic():
        case = _write(checker.plan, by=by)
    case.left_behind = left_behind(checker.plan.cycle_record)
    return case


def _user(person: PlannedPerson, *, level, since: datetime.date, by: User | None) -> User:
    # get_or_create, so that two imports naming the same new person at once both find them.
    user, created = User.objects.get_or_create(
        username=person.username,
        defaults={
            "name": person.name,
            "email": person.email,
            # What set_unusable_password() stores: they sign in once an admin sets a password.
            "password": make_password(None),
        },
    )
    if created:
        _record_level(user, level, since, by)
    return user


def _record_level(user: User, level, since: datetime.date, by: User | None) -> None:
    change_level(
        user=user,
        level=level,
        since=since,
        reason=LevelChange.Reason.IMPORT,
        note="The level the imported case needs",
        by=by,
    )


_PATHS = {"candidate": "$.candidate", "sponsor": "$.sponsor", "guide": "$.guide"}


def _locked(*users: User) -> list[User]:
    # In id order, so that two imports naming the same two people cannot wait on each other.
    locked = {
        user.pk: user
        for user in User.objects.select_for_update(of=("self",))
        .select_related("current_level")
        .filter(pk__in=[user.pk for user in users])
        .order_by("pk")
    }
    return [locked[user.pk] for user in users]


def _write(plan: Plan, *, by: User | None) -> Case:
    guide = plan.guide
    # Both have held their levels at least since the case opened, as far as the packet says.
    since = min(plan.opened_on, clock.today())
    candidate, sponsor = _locked(
        plan.existing("candidate")
        or _user(plan.candidate, level=guide.from_level, since=since, by=by),
        plan.existing("sponsor") or _user(plan.sponsor, level=guide.to_level, since=since, by=by),
    )
    if candidate.current_level_id is None:
        _record_level(candidate, guide.from_level, since, by)
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

    people = {"candidate": candidate, "sponsor": sponsor}
    now = clock.now()
    feedback = Feedback.objects.bulk_create(
        Feedback(
            case=case,
            evidence=evidence[message.evidence],
            author=people[message.author],
            kind=message.kind,
            text=message.text,
            imported_at=now,
            imported_by=by,
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
