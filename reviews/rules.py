import rules

from reviews.roles import roles_for


@rules.predicate
def is_hr(user) -> bool:
    return roles_for(user).hr


@rules.predicate
def is_case_candidate(user, case) -> bool:
    return case is not None and case.candidate_id == user.pk


@rules.predicate
def is_case_sponsor(user, case) -> bool:
    return case is not None and case.sponsor_id == user.pk


@rules.predicate
def is_case_panellist(user, case) -> bool:
    """A seat on the panel of an open cycle the case is nominated to, without a conflict: the
    rule of `Case.objects.readable_by`, asked of one case."""
    from reviews.models import Case

    return (
        case is not None
        and roles_for(user).panellist
        and Case.objects.readable_by(user).filter(pk=case.pk).exists()
    )


rules.add_perm("reviews.open_case", is_hr)
rules.add_perm("reviews.view_case", is_case_candidate | is_case_sponsor | is_hr)
# The packet (the case's pages that read it, and its downloads): the case's people, HR, and the
# panel of an open cycle it is nominated to, less the panellists it conflicts with.
rules.add_perm(
    "reviews.read_packet", is_case_candidate | is_case_sponsor | is_hr | is_case_panellist
)
# Only the candidate writes their own evidence, narrative and check-ins.
rules.add_perm("reviews.write_evidence", is_case_candidate)
# Endorse, question or ask for more: the sponsor's verdicts on an item.
rules.add_perm("reviews.give_verdict", is_case_sponsor)
rules.add_perm("reviews.reply", is_case_candidate | is_case_sponsor)
rules.add_perm("reviews.sign_off", is_case_sponsor)
rules.add_perm("reviews.view_history", is_case_sponsor | is_hr)
# HR records decisions, never on a case of their own.
rules.add_perm("reviews.record_decision", is_hr & ~is_case_candidate)
