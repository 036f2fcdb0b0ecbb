import pytest
from django.db import IntegrityError, connection, transaction

from guides.models import Capability, Guide, Indicator
from tests.factories import guide_with_parts, publish

pytestmark = pytest.mark.django_db


def test_draft_guide_can_change():
    guide = guide_with_parts()
    guide.overview = "Changed while still a draft."
    guide.save()
    Indicator.objects.filter(capability__guide=guide).update(text="Also changed.")


def test_published_guide_refuses_changes_even_in_raw_sql():
    guide = publish(guide_with_parts())
    with pytest.raises(IntegrityError, match="frozen"), transaction.atomic():
        Guide.objects.filter(pk=guide.pk).update(overview="Moved goalposts.")
    with (
        pytest.raises(IntegrityError, match="frozen"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE guides_guide SET status = 'draft' WHERE id = %s", [guide.pk])


@pytest.mark.parametrize("operation", ["insert", "update", "delete"])
def test_parts_of_a_published_guide_are_frozen(operation):
    guide = publish(guide_with_parts())
    capability = guide.capabilities.first()
    with pytest.raises(IntegrityError, match="frozen"), transaction.atomic():
        if operation == "insert":
            Indicator.objects.create(capability=capability, position=99, text="New.")
        elif operation == "update":
            capability.indicators.update(text="Rewritten.")
        else:
            Capability.objects.filter(pk=capability.pk).delete()


def test_published_guide_can_retire():
    guide = publish(guide_with_parts())
    guide.status = Guide.Status.RETIRED
    guide.save(update_fields=["status"])
    guide.refresh_from_db()
    assert guide.status == Guide.Status.RETIRED
