"""The three-month blocks of a case's readiness window that still lack evidence of a capability:
what the progress page names per capability, and reviews.words words ("needs evidence in Jan–Mar
2026")."""

from reviews.readiness.rule import CapabilityReadiness, Readiness


def empty_blocks(readiness: Readiness, capability: CapabilityReadiness) -> list[tuple[str, str]]:
    """The window's blocks (first and last month, 'YYYY-MM') without an item of this
    capability, oldest first."""
    return [
        block
        for block in readiness.blocks
        if not any(
            count for month, count in capability.months.items() if block[0] <= month <= block[1]
        )
    ]
