"""HR's writes on guide versions (guides/versions.py) and the pairing rule (guidediff)."""

import dataclasses

import pytest
from django.core.exceptions import ValidationError

from guides import versions
from guides.guidediff import Kind, guide_changes, pair_items
from guides.guidemd import GuideFormatError
from guides.models import Guide
from guides.services import import_guide
from reviews.services import open_case
from tests.factories import UserFactory
from tests.guides.guide_texts import first_version, markdown, second_version


def test_pairing_keeps_same_text_moved_and_rewords_in_place():
    pairs = pair_items(["a b", "c", "d", "e"], ["x", "A  B", "d", "f"])
    kinds = {(p.old, p.new): p.kind for p in pairs}
    assert kinds == {
        ("a b", "A  B"): Kind.MOVED,
        # The place of "c" went to "a b": it is removed, and "x" is new.
        ("c", None): Kind.REMOVED,
        (None, "x"): Kind.ADDED,
        ("d", "d"): Kind.SAME,
        ("e", "f"): Kind.REWORDED,
    }


def test_pairing_lists_added_and_removed():
    pairs = pair_items(["one", "two"], ["one"])
    assert [(p.kind, p.old, p.new) for p in pairs] == [
        (Kind.SAME, "one", "one"),
        (Kind.REMOVED, "two", None),
    ]
    added = pair_items([], ["new"])
    assert [(p.kind, p.new_position) for p in added] == [(Kind.ADDED, 1)]


def test_curly_quotes_and_spacing_are_not_a_change():
    assert not pair_items(["Don't  stop"], ["Don\u2019t stop"])[0].changed


def test_changes_name_each_capability_part_and_question():
    changes = guide_changes(first_version(), second_version())
    roadmap, leaders = changes.capabilities
    assert [(p.kind, p.old, p.new) for p in roadmap.indicator_changes] == [
        (
            Kind.REWORDED,
            "Sets a yearly plan that other teams build on",
            "Sets a yearly plan that other groups build on",
        ),
        (Kind.REMOVED, "Cuts work that no longer pays off", None),
    ]
    assert [(p.kind, p.new) for p in leaders.indicator_changes] == [
        (Kind.ADDED, "Brings new managers up to speed within a quarter")
    ]
    assert [p.kind for p in changes.questions] == [Kind.REWORDED, Kind.ADDED]
    assert changes.other_texts == []


def test_a_renamed_capability_and_new_overview_are_changes():
    first = first_version()
    renamed = dataclasses.replace(first.capabilities[1], title="Building the bench")
    second = dataclasses.replace(
        first, capabilities=(first.capabilities[0], renamed), overview="A new overview."
    )
    changes = guide_changes(first, second)
    assert [(c.pair.kind, c.pair.old, c.pair.new) for c in changes.capabilities] == [
        (Kind.REWORDED, "Growing leaders", "Building the bench")
    ]
    assert changes.other_texts == ["the overview"]
    assert guide_changes(first, first).empty


@pytest.mark.django_db
class TestVersions:
    def test_a_draft_is_the_next_version_and_replaces_the_pairs_draft(self):
        import_guide(source=markdown(first_version()).encode())
        draft = versions.import_draft(source=markdown(second_version()).encode()).guide
        assert (draft.version, draft.status) == (2, Guide.Status.DRAFT)
        again = versions.import_draft(source=markdown(second_version()).encode()).guide
        assert again.version == 2
        assert not Guide.objects.filter(pk=draft.pk).exists()

    def test_the_same_text_as_published_is_refused(self):
        import_guide(source=markdown(first_version()).encode())
        with pytest.raises(ValidationError, match="nothing new to import"):
            versions.import_draft(source=markdown(first_version()).encode())
        assert Guide.objects.count() == 1

    def test_a_malformed_document_is_refused_whole_with_its_line(self):
        with pytest.raises(GuideFormatError) as refused:
            versions.import_draft(source=b"# Not a guide\n")
        assert refused.value.line == 1
        assert Guide.objects.count() == 0

    def test_publish_compare_and_retire(self):
        first = import_guide(source=markdown(first_version()).encode()).guide
        draft = versions.import_draft(source=markdown(second_version()).encode()).guide
        comparison = versions.compare_with_published(draft)
        assert comparison.against == first
        assert len(comparison.changes.capabilities) == 2
        published = versions.publish_guide(guide=draft)
        assert published.status == Guide.Status.PUBLISHED
        assert published.published_at is not None
        with pytest.raises(ValidationError, match="not a draft"):
            versions.publish_guide(guide=draft)
        versions.retire_guide(guide=first)
        first.refresh_from_db()
        assert first.status == Guide.Status.RETIRED
        with pytest.raises(ValidationError, match="Only a published version"):
            versions.retire_guide(guide=first)

    def test_an_older_draft_is_not_published_after_a_newer_version(self):
        import_guide(source=markdown(first_version()).encode())
        draft = versions.import_draft(source=markdown(second_version()).encode()).guide
        import_guide(
            source=markdown(dataclasses.replace(second_version(), overview="Three.")).encode()
        )
        with pytest.raises(ValidationError, match="Import the draft again"):
            versions.publish_guide(guide=draft)

    def test_only_a_draft_is_discarded(self):
        first = import_guide(source=markdown(first_version()).encode()).guide
        draft = versions.import_draft(source=markdown(second_version()).encode()).guide
        versions.discard_draft(guide=draft)
        assert not Guide.objects.filter(pk=draft.pk).exists()
        with pytest.raises(ValidationError, match="Only a draft"):
            versions.discard_draft(guide=first)

    def test_no_case_opens_on_a_retired_or_draft_version(self):
        first = import_guide(source=markdown(first_version()).encode()).guide
        draft = versions.import_draft(source=markdown(second_version()).encode()).guide
        versions.retire_guide(guide=first)
        candidate = UserFactory()
        sponsor = UserFactory(current_level=first.to_level)
        for guide in (first, draft):
            with pytest.raises(ValidationError, match="published guide"):
                open_case(
                    candidate=candidate,
                    sponsor=sponsor,
                    guide=Guide.objects.get(pk=guide.pk),
                    opened_on=first.created_at.date(),
                )
