"""How cases and their evidence are read: a QuerySet method for each way a page reads them.

The models they read are imported where they are used: reviews.models builds its managers from
these classes.
"""

import datetime

from django.db import models
from django.db.models import Q
from django.db.models.functions import Cast, Coalesce

from accounts.models import User
from guides.models import Guide


def count_of(rows: models.QuerySet, *, per: str) -> models.QuerySet:
    """How many of `rows` there are, as a subquery for `Subquery`: `rows` filtered on the outer
    row through `per`, counted without a join or a GROUP BY in the outer query."""
    # COUNT(*) rather than of a column: the rows are counted on the index of `per` alone.
    return rows.order_by().values(per).annotate(n=models.Count("*")).values("n")


def looked_at(person, *, case: str = "case"):
    """When this person last looked at the case of the outer row (its column `case`): their
    `CaseLook`, else their latest message on the case — answering is looking too; None when
    neither exists."""
    from reviews.models import CaseLook, Feedback

    look = CaseLook.objects.filter(case=models.OuterRef(case), user=person)
    answered = Feedback.objects.filter(case=models.OuterRef(case), author=person)
    return Coalesce(
        models.Subquery(look.values("looked_at")[:1]),
        models.Subquery(answered.order_by("-created_at").values("created_at")[:1]),
    )


class CaseQuerySet(models.QuerySet):
    """How cases are read. Each way a page reads a case with its people is one method here:
    `with_people` (any page of one case, services, packets), `for_page` (the case's own page and
    its evidence list), `for_hr_list` and `for_dashboard`; `with_snapshot` adds the readiness
    snapshot to any of them."""

    def visible_to(self, user):
        """The one door to cases: everything a list, page or export may show this person."""
        from reviews.roles import roles_for

        if not user.is_authenticated:
            return self.none()
        if roles_for(user).hr:
            return self
        return self.filter(Q(candidate=user) | Q(sponsor=user))

    def readable_by(self, user):
        """The cases whose packet this person may read: those `visible_to` them and, for a
        panellist, the cases nominated to the open cycles whose panel they sit on, less those
        they sponsor or are the candidate of (`Nomination.objects.scorable_by`). The one rule of
        a panellist's reading; the pages that read a packet start from it."""
        from reviews.models import Nomination
        from reviews.roles import roles_for

        roles = roles_for(user) if user.is_authenticated else None
        if roles is None or roles.hr or not roles.panellist:
            return self.visible_to(user)
        panel = Nomination.objects.filter(active=True).scorable_by(user).values("case")
        return self.filter(Q(candidate=user) | Q(sponsor=user) | Q(pk__in=panel))

    def with_standing(self):
        """Where the case stands in the cycles, read with it: its latest nomination as
        `nomination` (`{"cycle", "active", "name", "state", "on", "scores_due", "committee_meets",
        "published_at"}`, or None), and the cycles open for nominations on its guide as
        `open_cycles` (`[{"pk", "name", "closes"}]`, soonest to close first)."""
        from django.contrib.postgres.expressions import ArraySubquery
        from django.db.models.functions import JSONObject

        from reviews.models import Cycle, Nomination

        latest = (
            Nomination.objects.filter(case=models.OuterRef("pk"))
            .order_by("-created_at", "-id")
            .values(
                json=JSONObject(
                    cycle="cycle",
                    active="active",
                    name="cycle__name",
                    state="cycle__state",
                    on="created_at",
                    scores_due="cycle__scores_due",
                    committee_meets="cycle__committee_meets",
                    published_at="cycle__published_at",
                )
            )[:1]
        )
        cycles = (
            Cycle.objects.filter(state=Cycle.State.NOMINATING, guides=models.OuterRef("guide"))
            .order_by("nominations_close", "id")
            .values(json=JSONObject(pk="pk", name="name", closes="nominations_close"))
        )
        return self.annotate(
            nomination=models.Subquery(latest, output_field=models.JSONField()),
            open_cycles=ArraySubquery(cycles),
        )

    def active(self):
        return self.filter(status__in=self.model.ACTIVE_STATUSES)

    def with_people(self):
        """The candidate, the sponsor, and the guide with its levels."""
        return self.select_related("candidate", "sponsor", "guide__from_level", "guide__to_level")

    def for_page(self):
        """A case as its own page and its evidence list read it: its people and guide, without
        the guide's long texts, and the guide's outline as `guide_outline` (see
        `with_outline`)."""
        return (
            self.with_people()
            .defer(*(f"guide__{name}" for name in Guide.LONG_TEXTS))
            .with_outline()
        )

    def with_outline(self):
        """Each case's guide outline as `guide_outline`, read with the case: its capabilities in
        order, each `{"pk", "number", "title", "indicators": [{"pk", "position", "text"}],
        "practices": [text]}`, indicators and practices in their order."""
        from django.contrib.postgres.expressions import ArraySubquery
        from django.db.models.functions import JSONObject

        from guides.models import Capability, Indicator, Practice

        indicators = (
            Indicator.objects.filter(capability=models.OuterRef("pk"))
            .order_by("position")
            .values(json=JSONObject(pk="pk", position="position", text="text"))
        )
        practices = (
            Practice.objects.filter(capability=models.OuterRef("pk"))
            .order_by("position")
            .values("text")
        )
        capabilities = (
            Capability.objects.filter(guide=models.OuterRef("guide"))
            .order_by("number")
            .values(
                json=JSONObject(
                    pk="pk",
                    number="number",
                    title="title",
                    indicators=ArraySubquery(indicators),
                    practices=ArraySubquery(practices),
                )
            )
        )
        return self.annotate(guide_outline=ArraySubquery(capabilities))

    def for_hr_list(self):
        """Cases with their people and guide for HR's list: the few guides in one more query
        rather than joined to every row, and without the long texts no list shows (a guide's
        source alone is the whole document); people by their names only."""
        return self._listed(people=("candidate", "sponsor"))

    def for_dashboard(self, sponsor):
        """The cases this person sponsors, each with what a dashboard row counts beside its
        readiness (which gives the latest item, when it was logged and how many items there
        are): `answered` (the items this sponsor has written on), `reopened` (those of them the
        candidate has written on since the sponsor's last message) and `signed_off_at` (the
        ready sign-off's time, if any). Items − answered + reopened is what waits in the
        sponsor's review queue (reviews.review_queue)."""
        from reviews.models import Feedback, SignOff

        # Counts on the feedback index per case, where an anti-join would read every item of
        # every case. Subqueries rather than joins: no GROUP BY, so each runs once per case.
        answered = (
            Feedback.objects.filter(case=models.OuterRef("pk"), author=sponsor)
            .order_by()
            .values("case")
            .annotate(n=models.Count("evidence", distinct=True))
            .values("n")
        )
        # A message of the candidate's with the sponsor's messages on its item all before it.
        sponsor_on_item = Feedback.objects.filter(
            evidence=models.OuterRef("evidence"), author=sponsor
        )
        reopened = (
            Feedback.objects.filter(case=models.OuterRef("pk"), author=models.OuterRef("candidate"))
            .filter(models.Exists(sponsor_on_item))
            .exclude(
                models.Exists(sponsor_on_item.filter(created_at__gte=models.OuterRef("created_at")))
            )
            .order_by()
            .values("case")
            .annotate(n=models.Count("evidence", distinct=True))
            .values("n")
        )
        # A case has at most one ready sign-off (a constraint): joined, not a subquery per row.
        ready_sign_off = models.FilteredRelation(
            "sign_offs", condition=Q(sign_offs__decision=SignOff.Decision.READY)
        )
        counted = models.IntegerField()
        return (
            # The sponsor is this person: no need to read them once per row.
            self.filter(sponsor=sponsor)
            ._listed(people=("candidate",))
            .annotate(ready_sign_off=ready_sign_off)
            .annotate(
                answered=Coalesce(models.Subquery(answered, output_field=counted), 0),
                reopened=Coalesce(models.Subquery(reopened, output_field=counted), 0),
                signed_off_at=models.F("ready_sign_off__created_at"),
            )
        )

    def with_news(self, person):
        """What changed on each case since this person last looked at it (`looked_at`):
        `new_items` (items logged since) and `new_replies` (the candidate's replies since)."""
        from reviews.models import Evidence, Feedback

        # The look is read once per case, and never looked means since the beginning of time.
        since = Coalesce(
            models.OuterRef("looked"),
            models.Value(datetime.datetime.min.replace(tzinfo=datetime.UTC)),
        )
        new_items = count_of(
            Evidence.objects.filter(case=models.OuterRef("pk"), created_at__gt=since),
            per="case",
        )
        new_replies = count_of(
            Feedback.objects.filter(
                case=models.OuterRef("pk"),
                kind=Feedback.Kind.REPLY,
                author=models.OuterRef("candidate"),
                created_at__gt=since,
            ),
            per="case",
        )
        counted = models.IntegerField()
        return self.annotate(looked=looked_at(person, case="pk")).annotate(
            new_items=Coalesce(models.Subquery(new_items, output_field=counted), 0),
            new_replies=Coalesce(models.Subquery(new_replies, output_field=counted), 0),
        )

    def _listed(self, *, people: tuple[str, ...]):
        guides = Guide.objects.with_levels().defer(*Guide.LONG_TEXTS)
        unnamed = [
            f"{person}__{field.attname}"
            for person in people
            for field in User._meta.concrete_fields
            if field.attname not in ("id", *User.NAME_FIELDS)
        ]
        return (
            self.select_related(*people)
            .prefetch_related(models.Prefetch("guide", queryset=guides))
            .defer("narrative", *unnamed)
        )

    def with_time_at_level(self):
        """The candidate's level code as `candidate_level` and the date from which they have
        held it as `candidate_level_since` (None without a history of it), from the candidate's
        row (`User.level_since`, kept with each change of level)."""
        return self.annotate(
            candidate_level=models.F("candidate__current_level__code"),
            candidate_level_since=models.F("candidate__level_since"),
        )

    def with_level_history(self):
        """The candidate's whole level history as `candidate_levels` (accounts.levels
        `history_column`), read with the case."""
        from accounts.levels import history_column

        return self.annotate(candidate_levels=history_column("candidate"))

    def with_snapshot(self, as_of, *, report: bool = False, facts: bool = False):
        """Each case's readiness snapshot of `as_of`, if it still holds (taken of the case's
        current data version): `snapshot_status` and `snapshot_flag_kinds`; with `report` the
        whole `snapshot_report`; with `facts` a dashboard row's `snapshot_last_evidence`,
        `snapshot_last_logged` and `snapshot_item_count`, and the report as text,
        `snapshot_report_text`, to be decoded only if needed. None when there is no such
        snapshot. Read back by reviews.readiness.snapshots (`summaries_of`, `readiness_of`,
        `row_facts`)."""
        fresh = models.FilteredRelation(
            "readiness_snapshot",
            condition=Q(
                readiness_snapshot__as_of=as_of,
                readiness_snapshot__data_version=models.F("data_version"),
            ),
        )
        columns = {
            "snapshot_status": models.F("fresh_snapshot__status"),
            "snapshot_flag_kinds": models.F("fresh_snapshot__flag_kinds"),
        }
        if report:
            columns["snapshot_report"] = models.F("fresh_snapshot__report")
        if facts:
            columns.update(
                snapshot_last_evidence=models.F("fresh_snapshot__last_evidence"),
                snapshot_last_logged=models.F("fresh_snapshot__last_logged"),
                snapshot_item_count=models.F("fresh_snapshot__item_count"),
                snapshot_report_text=Cast("fresh_snapshot__report", models.TextField()),
            )
        return self.annotate(fresh_snapshot=fresh).annotate(**columns)


class EvidenceQuerySet(models.QuerySet):
    def visible_to(self, user):
        from reviews.models import Case

        return self.filter(case__in=Case.objects.visible_to(user))

    def with_details(self):
        """Items as their own page and the review show them: capability, indicators in position
        order and attachments, newest first."""
        from guides.models import Indicator

        return (
            self.select_related("capability")
            .prefetch_related(
                models.Prefetch("indicators", queryset=Indicator.objects.order_by("position")),
                "attachments",
            )
            .order_by("-date", "-id")
        )

    def with_threads(self):
        """Each item's feedback thread, oldest message first, with its authors and, for
        imported messages, their importers."""
        from reviews.models import Feedback

        return self.prefetch_related(
            models.Prefetch(
                "feedback",
                queryset=Feedback.objects.select_related("author", "imported_by").order_by(
                    "created_at", "id"
                ),
            )
        )

    def as_rows(self):
        """Items as a list shows them: title, date, capability and star, with `tags` (the indicators
        tagged, in position order, each `{"position", "text"}`) and `files` (how many attachments),
        one row each."""
        from django.contrib.postgres.expressions import ArraySubquery
        from django.db.models.functions import JSONObject

        from guides.models import Indicator
        from reviews.models import Attachment

        tags = (
            Indicator.objects.filter(evidence=models.OuterRef("pk"))
            .order_by("position")
            .values(json=JSONObject(position="position", text="text"))
        )
        files = count_of(Attachment.objects.filter(evidence=models.OuterRef("pk")), per="evidence")
        return (
            self.select_related("capability")
            .only(
                "pk",
                "case_id",
                "title",
                "date",
                "starred",
                "capability__number",
                "capability__title",
            )
            .annotate(tags=ArraySubquery(tags), files=Coalesce(models.Subquery(files), 0))
        )
