"""How much one request may send and one case may hold, each limit said once.

The forms, the services, packet import and config/settings.py (Django's own request limits) read
them from here, and so do the refusals, which say them in words. Each is far above what an
organisation's real use comes to (DESIGN.md: about 150 evidence items and 8 check-ins over two
years): they are there so that no one request and no one case can exhaust the app. No Django
imports, so that the settings can read this module.
"""

MB = 1024 * 1024

# Files.
MAX_ATTACHMENTS = 5  # of one evidence item
MAX_ATTACHMENT_BYTES = 10 * MB
MAX_CASE_ATTACHMENT_BYTES = 1024 * MB
# Files one request may carry (DATA_UPLOAD_MAX_NUMBER_FILES). A few more than an item holds reach
# the form, which says the item's limit beside the field; beyond this Django stops reading the
# request at once and the page says the limit (config/views.py).
MAX_FILES_PER_REQUEST = 2 * MAX_ATTACHMENTS

# Requests. The longest text any form sends, a narrative of 50,000 characters, comes to at most
# 600 KB however it is encoded; Django refuses more text than this (DATA_UPLOAD_MAX_MEMORY_SIZE).
MAX_FORM_TEXT_BYTES = int(2.5 * MB)
# An uploaded file larger than this is written to a temporary file while the request is read
# rather than held in memory (FILE_UPLOAD_MAX_MEMORY_SIZE).
UPLOAD_IN_MEMORY_BYTES = 1 * MB
# The largest body any form of the app sends: its files at their limit and its text. A request
# announcing more is refused before any of it is read (reviews/middleware.py).
MAX_REQUEST_BYTES = MAX_ATTACHMENTS * MAX_ATTACHMENT_BYTES + MAX_FORM_TEXT_BYTES

# What one case may hold.
MAX_EVIDENCE_PER_CASE = 2000
MAX_CHECK_INS_PER_CASE = 500
MAX_FEEDBACK_PER_CASE = 10_000
MAX_MESSAGES_PER_THREAD = 100


def megabytes(size: int) -> str:
    """A size as people read it: "10 MB", "1 GB", "12.5 MB"."""
    if size >= 1024 * MB and size % (1024 * MB) == 0:
        return f"{size // (1024 * MB)} GB"
    return f"{size / MB:,.1f}".removesuffix(".0") + " MB"


TOO_MANY_FILES = (
    f"One form can send at most {MAX_FILES_PER_REQUEST} files at once, and an evidence item "
    f"holds up to {MAX_ATTACHMENTS} attachments of at most {megabytes(MAX_ATTACHMENT_BYTES)} "
    "each. Go back and choose fewer files."
)
TOO_MUCH_TEXT = (
    f"One form can send at most {megabytes(MAX_FORM_TEXT_BYTES)} of text. "
    "Go back and shorten what you wrote."
)


def request_too_large(size: int) -> str:
    return (
        f"This form sent {megabytes(size)}; one form can send at most "
        f"{megabytes(MAX_REQUEST_BYTES)}: up to {MAX_ATTACHMENTS} files of at most "
        f"{megabytes(MAX_ATTACHMENT_BYTES)} each, and its text. Go back and choose fewer or "
        "smaller files."
    )


def case_full(count: int, limit: int, what: str) -> str:
    """Why one more cannot be added: `what` is the plural, "evidence items"."""
    return f"A case can hold at most {limit:,} {what}, and this one has {count:,}."
