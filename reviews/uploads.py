"""What an uploaded file really is, judged by its bytes; its name only states a claim.

A file is accepted when its content is one of the allowed kinds and that kind matches what its
name claims, so a script renamed to report.pdf, or a PDF renamed to notes.txt, is refused.
"""

import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath


@dataclass(frozen=True)
class Kind:
    label: str
    content_type: str


PDF = Kind("PDF", "application/pdf")
PNG = Kind("PNG image", "image/png")
JPEG = Kind("JPEG image", "image/jpeg")
TEXT = Kind("plain text", "text/plain")
DOCX = Kind(
    "Word document", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
)
XLSX = Kind("Excel workbook", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
PPTX = Kind(
    "PowerPoint presentation",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
)
LEGACY_OFFICE = Kind("Office 97–2003 document", "application/vnd.ms-office")
ODF_TEXT = Kind("OpenDocument text", "application/vnd.oasis.opendocument.text")
ODF_SHEET = Kind("OpenDocument spreadsheet", "application/vnd.oasis.opendocument.spreadsheet")
ODF_SLIDES = Kind("OpenDocument presentation", "application/vnd.oasis.opendocument.presentation")

BY_EXTENSION: dict[str, Kind] = {
    ".pdf": PDF,
    ".png": PNG,
    ".jpg": JPEG,
    ".jpeg": JPEG,
    ".txt": TEXT,
    ".md": TEXT,
    ".csv": TEXT,
    ".docx": DOCX,
    ".xlsx": XLSX,
    ".pptx": PPTX,
    ".doc": LEGACY_OFFICE,
    ".xls": LEGACY_OFFICE,
    ".ppt": LEGACY_OFFICE,
    ".odt": ODF_TEXT,
    ".ods": ODF_SHEET,
    ".odp": ODF_SLIDES,
}
ALLOWED_DESCRIPTION = (
    "PDF, PNG, JPEG, Office documents (Word, Excel, PowerPoint, OpenDocument) or plain text"
)

_OOXML_PARTS = {"word/": DOCX, "xl/": XLSX, "ppt/": PPTX}
_ODF_TYPES = {k.content_type: k for k in (ODF_TEXT, ODF_SHEET, ODF_SLIDES)}
# The most of any archive entry a check inflates. An OpenDocument's `mimetype` is under 50 bytes;
# a longer one is no OpenDocument, and one that inflates to gigabytes is never read further.
MAX_ENTRY_READ = 256


class UploadRefused(ValueError):
    pass


def sniff(head: bytes, whole: bytes | None = None) -> Kind | None:
    """The kind of file these bytes are, or None when they are none of the allowed kinds."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return LEGACY_OFFICE
    if head.startswith(b"PK\x03\x04") and whole is not None:
        return _sniff_zip(whole)
    data = whole if whole is not None else head
    if b"\x00" not in data:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return TEXT
    return None


def _sniff_zip(data: bytes) -> Kind | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                with archive.open("mimetype") as entry:
                    declared = entry.read(MAX_ENTRY_READ + 1)
                if len(declared) > MAX_ENTRY_READ:
                    return None
                return _ODF_TYPES.get(declared.decode("ascii", "replace").strip())
            if "[Content_Types].xml" in names:
                for prefix, kind in _OOXML_PARTS.items():
                    if any(name.startswith(prefix) for name in names):
                        return kind
    except (zipfile.BadZipFile, ValueError, KeyError):
        return None
    return None


def _a(label: str) -> str:
    return f"{'an' if label[0] in 'AEIOU' else 'a'} {label}"


def safe_name(name: str) -> str:
    """The last part of an uploaded name, for display and downloads only; never a path."""
    base = PurePath(name.replace("\\", "/")).name.strip().strip(".")
    cleaned = "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"/\\|?*')
    return cleaned[:150] or "attachment"


def refuse_oversized(name: str, size: int, *, max_bytes: int) -> None:
    if size > max_bytes:
        raise UploadRefused(
            f"{safe_name(name)} is {size / 1_048_576:.1f} MB; files can be at most "
            f"{max_bytes // 1_048_576} MB."
        )


def check_upload(name: str, data: bytes, *, max_bytes: int) -> Kind:
    """The file's kind if it may be stored, else UploadRefused saying why in plain words."""
    shown = safe_name(name)
    if not data:
        raise UploadRefused(f"{shown} is empty.")
    refuse_oversized(name, len(data), max_bytes=max_bytes)
    claimed = BY_EXTENSION.get(PurePath(shown).suffix.lower())
    if claimed is None:
        raise UploadRefused(f"{shown}: only {ALLOWED_DESCRIPTION} can be attached.")
    actual = sniff(data[:16], data)
    if actual != claimed:
        raise UploadRefused(
            f"{shown} is named as {_a(claimed.label)} but its content is "
            f"{'not a file type we accept' if actual is None else _a(actual.label)}."
        )
    return actual
