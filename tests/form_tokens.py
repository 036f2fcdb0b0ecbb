"""The one-time token a browser sends with every evidence, check-in, feedback and decision form,
as the page drew it (reviews/once.py)."""

from reviews.once import TOKEN_FIELD, issue_token


def with_token(data: dict) -> dict:
    """The form's fields with a fresh token: each call is a form drawn anew."""
    return {**data, TOKEN_FIELD: issue_token()}
