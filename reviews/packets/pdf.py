"""The promotion packet, and the committee brief of a case, as PDFs, laid out by Typst.

`packet_context` (reviews/packets/document.py) reads what the PDF says and `packet_data`
(reviews/packets/pdf_data.py) shapes it as plain JSON data, which reaches the template
(reviews/packets/typst/packet.typ) through `sys.inputs`, never as source: no text a person wrote
is Typst code. reviews/packets/typesetter.py runs Typst, each layout in a process of its own.
"""

import datetime
import hashlib
import json
from concurrent.futures import Future
from pathlib import Path

import typst
from django.conf import settings
from django.core.cache import caches

from reviews.models import Case
from reviews.packets import typesetter
from reviews.packets.brief import brief_context, brief_data
from reviews.packets.build import PacketRead
from reviews.packets.document import packet_context
from reviews.packets.pdf_data import packet_data

TEMPLATE, TEMPLATE_DIR = typesetter.TEMPLATE, typesetter.TEMPLATE_DIR
PDF_CACHE = "packets"


def font_dirs() -> list[str]:
    return [str(path) for path in settings.PACKET_FONT_DIRS]


def start_layout(
    case: Case, *, as_of: datetime.date | None = None, read: PacketRead | None = None
) -> Future:
    """The packet of one case read now and laid out in the background; the future's result is
    the PDF. `case` should come with candidate, sponsor, guide and the candidate's level history
    (`with_level_history`, else one query more); `read`, the packet already read
    (`read_packet`), saves reading it again."""
    data = packet_data(packet_context(case, as_of=as_of, read=read))
    return typesetter.submit(json.dumps(data, ensure_ascii=False), font_dirs())


def render_brief_pdf(case: Case, *, as_of: datetime.date | None = None, reader=None) -> bytes:
    """The committee brief of one case (reviews/packets/brief.py) as an A4 PDF of at most two
    pages, laid out by reviews/packets/typst/brief.typ."""
    data = brief_data(brief_context(case, as_of=as_of, reader=reader))
    template = typesetter.BRIEF_TEMPLATE
    return typesetter.submit(json.dumps(data, ensure_ascii=False), font_dirs(), template).result()


def render_packet_pdf(
    case: Case, *, as_of: datetime.date | None = None, read: PacketRead | None = None
) -> bytes:
    """The packet of one case as an A4 PDF.

    The packet is read each time, from the database; laying it out is what costs (about 200 ms
    for 150 items), and a layout depends on nothing but that data, the template, the fonts and
    Typst. So the PDF is kept in the `packets` cache (config/settings.py) under their hash
    (`layout_key`): the same packet is laid out once, and any change to it, to the template or
    to the fonts is another key, so a kept PDF is never out of date, only unused."""
    data = packet_data(packet_context(case, as_of=as_of, read=read))
    data_json = json.dumps(data, ensure_ascii=False)
    key = layout_key(data_json, font_dirs())
    pdf = caches[PDF_CACHE].get(key)
    if pdf is None:
        pdf = typesetter.submit(data_json, font_dirs()).result()
        caches[PDF_CACHE].set(key, pdf)
    return pdf


def layout_key(data_json: str, fonts: list[str]) -> str:
    """The hash of everything a layout is made from: Typst's version, the template folder's
    files, the fonts' names and sizes, and the data."""
    digest = hashlib.sha256(typst.__version__.encode())
    for path in sorted(TEMPLATE_DIR.rglob("*")):
        if path.is_file():
            digest.update(b"\0" + path.name.encode() + b"\0" + path.read_bytes())
    for folder in fonts:
        for path in sorted(Path(folder).rglob("*")):
            if path.is_file():
                digest.update(f"\0{path}\0{path.stat().st_size}".encode())
    digest.update(b"\0" + data_json.encode())
    return f"packet-pdf:{digest.hexdigest()}"
