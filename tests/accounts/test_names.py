import pytest

from accounts.models import User, display_name_of


@pytest.mark.parametrize(
    ("fields", "shown"),
    [
        (("Rae Sponsor", "Rae", "Other", "rae"), "Rae Sponsor"),
        (("", "Lou", "Banks", "lou"), "Lou Banks"),
        (("", "", "Banks", "lou"), "Banks"),
        (("", "", "", "lou"), "lou"),
    ],
)
def test_a_person_is_shown_by_full_name_then_first_and_last_then_username(fields, shown):
    assert display_name_of(*fields) == shown
    person = User(**dict(zip(User.NAME_FIELDS, fields, strict=True)))
    assert (person.display_name, str(person)) == (shown, shown)
