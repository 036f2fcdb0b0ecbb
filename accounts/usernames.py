"""When two usernames name the same person: compared without case and after folding look-alike
letters, so that "Sam" and "ѕam" (with a Cyrillic ѕ) are taken for the existing "sam".

The key of a username is its NFKC form (which folds full-width and other compatibility forms,
"ｓａｍ" → "sam"), with the Cyrillic and Greek letters that look like Latin ones replaced by
those (`LOOKALIKES`), case-folded. Neither Python nor Django offers
Unicode's confusable "skeletons" (UTS #39); the letters listed are the ones that pass for Latin
in the fonts a username is read in. ASCII is left as it is: "sam1" and "saml", or "rn" and "m",
are different people's real usernames.
"""

import unicodedata

from django.db.models import Q, QuerySet

from accounts.models import User

# Cyrillic and Greek letters drawn like a Latin one, capitals and small letters each as they
# look (a capital eta is an H, a small one an n), so they are replaced before case is folded.
_LOOKALIKE_PAIRS = (
    ("АВЕЅІЈКМНОРСТХУԚԜӀ", "ABESIJKMHOPCTXYQWI"),
    ("аеѕіјкмнорстхуԁһԛԝӏѵёї", "aesijkmhopctxydhqwlvei"),
    ("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ", "ABEZHIKMNOPTYX"),
    ("αβεικνορτυχγημ", "abeikvoptuxynu"),
)
LOOKALIKES = str.maketrans(
    "".join(lookalikes for lookalikes, _ in _LOOKALIKE_PAIRS),
    "".join(latin for _, latin in _LOOKALIKE_PAIRS),
)


def username_key(username: str) -> str:
    """What two usernames share when they name the same person."""
    return unicodedata.normalize("NFKC", username).translate(LOOKALIKES).casefold()


def same_person(first: str, second: str) -> bool:
    return username_key(first) == username_key(second)


def people_named(username: str, users: QuerySet | None = None) -> list[User]:
    """The people whose username is this one's, by `username_key`, in id order.

    Two queries' worth in one: the key of an ASCII username is its lower case, so the people
    named alike are the ones with the same name in any case, and among those with a username
    beyond ASCII (few), the ones whose key matches.
    """
    users = User.objects.all() if users is None else users
    key = username_key(username)
    nearby = users.filter(Q(username__iexact=key) | Q(username__regex=r"[^\x01-\x7f]"))
    return [user for user in nearby.order_by("pk") if username_key(user.username) == key]
