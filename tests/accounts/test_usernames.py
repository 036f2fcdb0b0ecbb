"""Usernames that name the same person: without case, after NFKC and look-alike letters."""

import pytest

from accounts.usernames import people_named, same_person, username_key
from tests.factories import UserFactory


@pytest.mark.parametrize(
    "written",
    [
        "sam",
        "Sam",
        "SAM",
        "\u0455am",  # Cyrillic small dze
        "\u0405AM",  # Cyrillic capital dze
        "s\u0430m",  # Cyrillic a
        "\uff53\uff41\uff4d",  # full-width, folded by NFKC
    ],
)
def test_look_alikes_and_other_capitals_name_sam(written):
    assert username_key(written) == "sam"
    assert same_person(written, "sam")


def test_capitals_that_look_latin_are_read_as_they_look():
    # A capital eta is an H; a small one is an n.
    assert username_key("\u0397elen") == "helen"
    assert username_key("\u03b7ed") == "ned"
    assert username_key("\u041aim") == "kim"


@pytest.mark.parametrize(
    ("first", "second"), [("sam1", "saml"), ("rnary", "mary"), ("ada", "adam")]
)
def test_different_ascii_usernames_stay_different(first, second):
    assert not same_person(first, second)


@pytest.mark.django_db
def test_people_named_finds_the_existing_person_whatever_the_capitals_or_look_alikes():
    sam = UserFactory(username="sam")
    greek = UserFactory(username="\u03b7ed")  # "ηed", a username beyond ASCII
    UserFactory(username="samuel")

    assert people_named("\u0455am") == [sam]
    assert people_named("SAM") == [sam]
    assert people_named("ned") == [greek]
    assert people_named("nobody") == []
