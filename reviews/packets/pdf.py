"""The promotion packet, and the committee brief of a case, as PDFs, laid out by Typst.

`packet_context` (reviews/packets/document.py) reads what the PDF says and `packet_data`
(reviews/packets/pdf_data.py) shapes it as plain JSON data, which reaches the template
(reviews/packets/typst/packet.typ) through `sys.inputs`, never as source: no text a person wrote
is Typst code. reviews/packets/typesetter.py runs Typst, each layout in a process of its own.
"""

import datetime
import json
from concurrent.futures import Future

from django.conf import settings

from reviews.models import Case
from reviews.packets import typesetter
from reviews.packets.brief import brief_context, brief_data
from reviews.packets.build import PacketRead
from reviews.packets.document import packet_context
from reviews.packets.pdf_data import packet_data

TEMPLATE, TEMPLATE_DIR = typesetter.TEMPLATE, typesetter.TEMPLATE_DIR


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
    """The packet of one case as an A4 PDF."""
    return start_layout(case, as_of=as_of, read=read).result()
