"""Grouping fields and what people declare for them: the only writes of either.

HR defines the fields (a name, the question, its answers); each person answers for themselves,
or says they prefer not to, or withdraws their answer. Nobody answers for someone else, and no
page but the person's own shows what they answered: the fairness view reads the answers only as
counts of groups of at least five people (reviews/fairness.py).
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import Declaration, GroupingAnswer, GroupingField, User
from core import clock

PREFER_NOT = "prefer_not"
# The groups the fairness view adds to every field's answers: no answer may take their names.
RESERVED_LABELS = {"prefer not to say", "not declared"}
MIN_ANSWERS = 2
MAX_ANSWERS = 30


def clean_answers(lines: list[str]) -> list[str]:
    """The answers as given, one a line, trimmed, blank lines dropped; refused when they repeat,
    take a reserved name or are too few or too many."""
    answers = [line.strip() for line in lines if line.strip()]
    seen = set()
    for answer in answers:
        key = answer.casefold()
        if key in RESERVED_LABELS:
            raise ValidationError(
                {"answers": f"“{answer}” is added to every field already; leave it out."}
            )
        if key in seen:
            raise ValidationError({"answers": f"“{answer}” is listed twice."})
        if len(answer) > GroupingAnswer._meta.get_field("label").max_length:
            raise ValidationError({"answers": f"“{answer[:40]}…” is too long: 100 characters."})
        seen.add(key)
    if not MIN_ANSWERS <= len(answers) <= MAX_ANSWERS:
        raise ValidationError(
            {"answers": f"Give between {MIN_ANSWERS} and {MAX_ANSWERS} answers, one a line."}
        )
    return answers


def save_grouping_field(
    *,
    field: GroupingField | None = None,
    name: str,
    question: str,
    answers: list[str],
    active: bool,
) -> GroupingField:
    """Create a field, or change one: answers kept by their label keep the declarations that
    chose them; answers no longer listed are removed with their declarations."""
    answers = clean_answers(answers)
    with transaction.atomic():
        if field is None:
            field = GroupingField(name=name.strip(), question=question.strip(), active=active)
        else:
            field = GroupingField.objects.select_for_update().get(pk=field.pk)
            field.name, field.question, field.active = name.strip(), question.strip(), active
        field.full_clean()
        field.save()
        kept = {answer.label: answer for answer in field.answers.all()}
        GroupingAnswer.objects.filter(field=field).exclude(label__in=answers).delete()
        for position, label in enumerate(answers, start=1):
            answer = kept.get(label) or GroupingAnswer(field=field, label=label)
            answer.position = position
            answer.save()
        return field


def declare(*, user: User, choices: dict[int, str]) -> None:
    """Save `user`'s own answers: for each active field's id, an answer's id (as text),
    PREFER_NOT, or "" to withdraw. Fields not named are left as they are."""
    try:
        with transaction.atomic():
            _declare(user, choices)
    except IntegrityError:
        # HR removed an answer (or the field) between reading and writing it.
        raise ValidationError(
            "These questions changed while you were answering. Check your answers and save "
            "them again."
        ) from None


def _declare(user: User, choices: dict[int, str]) -> None:
    fields = GroupingField.objects.filter(pk__in=choices, active=True)
    answers = {
        (answer.field_id, str(answer.pk)): answer
        for answer in GroupingAnswer.objects.filter(field__in=fields)
    }
    now = clock.now()
    saved, withdrawn = [], []
    for field in fields:
        choice = choices[field.pk]
        if choice == "":
            withdrawn.append(field.pk)
        elif choice == PREFER_NOT:
            saved.append(
                Declaration(user=user, field=field, prefer_not_to_say=True, declared_at=now)
            )
        elif (field.pk, choice) in answers:
            saved.append(
                Declaration(
                    user=user, field=field, answer=answers[field.pk, choice], declared_at=now
                )
            )
        else:
            raise ValidationError({f"field_{field.pk}": "Choose one of the answers listed."})
    if set(choices) - {field.pk for field in fields}:
        raise ValidationError("One of these questions is no longer asked. Reload the page.")
    Declaration.objects.filter(user=user, field_id__in=withdrawn).delete()
    # One statement that cannot race with a second tab: the upsert keeps one row per person
    # and field whichever tab saves first.
    Declaration.objects.bulk_create(
        saved,
        update_conflicts=True,
        unique_fields=["user", "field"],
        update_fields=["answer", "prefer_not_to_say", "declared_at"],
    )


def withdraw_all(*, user: User) -> int:
    """Remove every answer `user` has given; how many there were."""
    deleted, _ = Declaration.objects.filter(user=user).delete()
    return deleted
