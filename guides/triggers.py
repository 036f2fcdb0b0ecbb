"""Database triggers that freeze a guide once it leaves draft.

A published guide is what cases are pinned to, so PostgreSQL itself refuses to change it or any
of its parts; a new version is made instead. Only its status may move on (published → retired).
"""

import pgtrigger

FROZEN_MESSAGE = "This guide is published and frozen: make a new version to change it."


def freeze_guide() -> list[pgtrigger.Trigger]:
    not_draft = pgtrigger.Q(old__status__in=["published", "retired"])
    changed_or_unfrozen = pgtrigger.Condition(
        "OLD.status <> 'draft' AND (NEW.status = 'draft' OR "
        "(to_jsonb(OLD) - 'status' - 'published_at') "
        "IS DISTINCT FROM (to_jsonb(NEW) - 'status' - 'published_at'))"
    )
    return [
        pgtrigger.Trigger(
            name="guide_frozen_update",
            operation=pgtrigger.Update,
            when=pgtrigger.Before,
            condition=changed_or_unfrozen,
            func=f"RAISE EXCEPTION '{FROZEN_MESSAGE}' USING ERRCODE = 'check_violation';",
        ),
        pgtrigger.Trigger(
            name="guide_frozen_delete",
            operation=pgtrigger.Delete,
            when=pgtrigger.Before,
            condition=not_draft,
            func=f"RAISE EXCEPTION '{FROZEN_MESSAGE}' USING ERRCODE = 'check_violation';",
        ),
    ]


def freeze_part(name: str, *, through_capability: bool = False) -> list[pgtrigger.Trigger]:
    """Refuse inserting, changing or deleting a part of a guide that is not a draft."""
    if through_capability:
        lookup = "SELECT c.guide_id FROM guides_capability c WHERE c.id = {row}.capability_id"
    else:
        lookup = "SELECT {row}.guide_id"
    # Built from constants only; no value from outside reaches this SQL.
    check = (
        "IF EXISTS (SELECT 1 FROM guides_guide g WHERE g.status <> 'draft' AND g.id IN ("  # noqa: S608
        f"{lookup})) THEN RAISE EXCEPTION '{FROZEN_MESSAGE}' USING ERRCODE = 'check_violation';"
        " END IF;"
    )
    func = (
        "IF TG_OP <> 'INSERT' THEN "
        + check.format(row="OLD")
        + " END IF; IF TG_OP <> 'DELETE' THEN "
        + check.format(row="NEW")
        + " RETURN NEW; END IF; RETURN OLD;"
    )
    return [
        pgtrigger.Trigger(
            name=f"{name}_frozen",
            operation=pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete,
            when=pgtrigger.Before,
            func=func,
        )
    ]
