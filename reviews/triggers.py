"""The database triggers that keep `Case.data_version` (reviews/models.py declares them on the
tables a case's readiness is computed from: evidence, its indicators, check-ins, answers)."""

import pgtrigger


def bumps_case_version(case_ids: str) -> list[pgtrigger.Trigger]:
    """Triggers that bump `Case.data_version` of every case whose rows a statement changed.

    Statement-level: one UPDATE of the touched cases per statement, however many rows a bulk
    insert writes. `case_ids` selects the cases' ids from `{rows}`, the statement's changed rows
    (PostgreSQL allows a transition table only on a single-event trigger, hence three).
    """
    events = [
        ("insert", pgtrigger.Insert, {"new": "new_rows"}),
        ("update", pgtrigger.Update, {"old": "old_rows", "new": "new_rows"}),
        ("delete", pgtrigger.Delete, {"old": "old_rows"}),
    ]
    return [
        pgtrigger.Trigger(
            name=f"{event}_bumps_case_version",
            level=pgtrigger.Statement,
            when=pgtrigger.After,
            operation=operation,
            referencing=pgtrigger.Referencing(**rows),
            # The SQL is this module's own constants: no value reaches it.
            func=(
                "UPDATE reviews_case SET data_version = data_version + 1 WHERE id IN ("  # noqa: S608
                + " UNION ".join(case_ids.format(rows=table) for table in rows.values())
                + "); RETURN NULL;"
            ),
        )
        for event, operation, rows in events
    ]
