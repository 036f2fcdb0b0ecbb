"""The promotion packet as a PDF for the committee, laid out by Typst.

`packet_context` (reviews/packets/document.py) reads what the PDF says and `packet_data`
(reviews/packets/pdf_data.py) shapes it as plain JSON data, which reaches the template
(reviews/packets/typst/packet.typ) through `sys.inputs`, never as source: no text a person wrote
is Typst code.

The compiler's root is the template's folder, which holds the template only, so not even the
template could read another file; fonts come from the folders in PACKET_FONT_DIRS (Debian's DejaVu)
and the system's fonts are not searched, so every machine lays out a packet with the same fonts
and nothing is fetched. One compiler per thread keeps the parsed template and the fonts it loaded.
"""

import datetime
import json
import threading
from pathlib import Path

import typst
from django.conf import settings

from reviews.models import Case
from reviews.packets.build import PacketRead
from reviews.packets.document import packet_context
from reviews.packets.pdf_data import packet_data

TEMPLATE_DIR = Path(__file__).parent / "typst"
TEMPLATE = TEMPLATE_DIR / "packet.typ"


class _Compiler(threading.local):
    compiler: typst.Compiler | None = None

    def get(self) -> typst.Compiler:
        if self.compiler is None:
            self.compiler = typst.Compiler(
                str(TEMPLATE),
                root=str(TEMPLATE_DIR),
                font_paths=[str(path) for path in settings.PACKET_FONT_DIRS],
                ignore_system_fonts=True,
            )
        return self.compiler


_compiler = _Compiler()


def render_packet_pdf(
    case: Case, *, as_of: datetime.date | None = None, read: PacketRead | None = None
) -> bytes:
    """The packet of one case as an A4 PDF; `case` should come with candidate, sponsor, guide.
    `read`, the packet already read (`read_packet`), saves reading it again."""
    return typeset(packet_data(packet_context(case, as_of=as_of, read=read)))


def typeset(data: dict) -> bytes:
    """The template laid out with this data."""
    inputs = {"packet": json.dumps(data, ensure_ascii=False)}
    return _compiler.get().compile(format="pdf", sys_inputs=inputs)
