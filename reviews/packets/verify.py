"""Whether a packet still says what its sponsor signed (DESIGN.md, "Packets").

Each sign-off keeps the SHA-256 of the canonical packet at the moment of signing. Verifying
recomputes it over the packet as it stands (of either version of the format: version 2 adds
only parts a sponsor does not sign) and compares it with the sign-off that matters: the
ready sign-off if there is one (it locked the case), otherwise the latest one. Sign-offs are
listed oldest first, as `build_packet` writes them. Plain data in and out, no database; a
sign-off's decision is worded by reviews/words.py.
"""

import contextlib
import datetime
from dataclasses import dataclass
from typing import Any

from reviews.models import SignOff
from reviews.packets import formats
from reviews.packets.build import packet_sha256
from reviews.words import sign_off_label


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    message: str
    expected: str | None = None  # the hash the sign-off holds
    found: str | None = None  # the hash of the packet as it is now
    sign_off: dict | None = None


def _printable(text: str) -> str:
    return "".join(c for c in text[:150] if c.isprintable())


def _describe(sign_off: dict) -> str:
    """ "the ready sign-off by sam on 2026-11-28", with what the sign-off says of itself."""
    decision = sign_off.get("decision")
    words = ["the"]
    if decision in SignOff.Decision.values:
        words.append(sign_off_label(decision).lower())
    elif isinstance(decision, str) and decision:
        # Not one of ours: said as the file has it.
        words.append(_printable(decision))
    words.append("sign-off")
    if isinstance(signer := sign_off.get("signer"), str) and signer:
        words.append(f"by {_printable(signer)}")
    with contextlib.suppress(KeyError, TypeError, ValueError):
        words.append(f"on {datetime.datetime.fromisoformat(sign_off['at']).date()}")
    return " ".join(words)


def verify_packet(data: Any) -> VerifyResult:
    if not isinstance(data, dict):
        return VerifyResult(False, "Not a packet: expected a JSON object.")
    if formats.known(data.get("format")) is None:
        expected = formats.expected_formats()
        return VerifyResult(False, f"Not a promotion packet: expected format {expected}.")
    sign_offs = data.get("sign_offs")
    if sign_offs is not None and not isinstance(sign_offs, list):
        return VerifyResult(False, "The packet's sign_offs are not a list: nothing to verify.")
    signed = [
        s
        for s in sign_offs or []
        if isinstance(s, dict) and isinstance(s.get("packet_sha256"), str)
    ]
    if not signed:
        return VerifyResult(False, "No sign-off in this packet: nothing to verify.")
    ready = [s for s in signed if s.get("decision") == "ready"]
    sign_off = (ready or signed)[-1]
    expected = sign_off["packet_sha256"]
    try:
        found = packet_sha256(data)
    except (TypeError, ValueError):
        # Text that is not valid Unicode, or values JSON cannot hold: not what was signed.
        return VerifyResult(
            False,
            f"MISMATCH: the packet cannot be read as signed content; {_describe(sign_off)} "
            f"expected sha256 {_printable(expected)}.",
            expected=expected,
            sign_off=sign_off,
        )
    if found == expected:
        message = f"OK: matches {_describe(sign_off)} (sha256 {found})."
        return VerifyResult(True, message, expected=expected, found=found, sign_off=sign_off)
    message = (
        f"MISMATCH: the packet has changed since {_describe(sign_off)}: "
        f"expected sha256 {_printable(expected)}, found {found}."
    )
    return VerifyResult(False, message, expected=expected, found=found, sign_off=sign_off)
