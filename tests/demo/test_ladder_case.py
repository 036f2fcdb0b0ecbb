"""The demo's case on the ladder's lower step: Fay, M2 → M3, sponsored by Tess."""

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

from reviews.models import Case
from reviews.readiness.snapshots import case_readiness

pytestmark = [pytest.mark.django_db, pytest.mark.dates]

DATA = settings.BASE_DIR / "guides" / "data"


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


def load_demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def import_ladder():
    for name in ("m2-to-m3.md", "m3-to-e1.md"):
        call_command("import_guide", str(DATA / name), "--if-new", stdout=StringIO())


def test_fay_has_a_building_case_on_the_lower_step(debug):
    import_ladder()
    output = load_demo()
    (case,) = Case.objects.filter(candidate__username="fay").select_related("guide__to_level")
    assert (case.guide.from_level.code, case.guide.to_level.code) == ("M2", "M3")
    assert case.sponsor.username == "tess"
    assert case.evidence.count() == 10
    assert case.check_ins.count() == 3
    assert case_readiness(case).status == "building"
    assert "On the ladder's lower step: fay on M2 → M3 v1, sponsored by tess, building" in output


def test_running_twice_leaves_one_ladder_case(debug):
    import_ladder()
    load_demo()
    load_demo()
    assert Case.objects.filter(candidate__username="fay").count() == 1


def test_without_the_lower_guide_the_demo_says_how_to_import_it(debug):
    call_command("import_guide", str(DATA / "m3-to-e1.md"), stdout=StringIO())
    output = load_demo()
    assert not Case.objects.filter(candidate__username="fay").exists()
    assert "import_guide guides/data/m2-to-m3.md" in output
