"""The promotion packet as a PDF for the committee (WeasyPrint): laying out the packet's HTML
(reviews/packets/document.py), with the project's static files as the only resources it may
load, and keeping each laid-out PDF.

The URL fetcher serves the project's static files and nothing else, so no content can make the
renderer reach out.
"""

import datetime
import hashlib
import mimetypes
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

import weasyprint
from django.contrib.staticfiles import finders
from django.core.cache import caches
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from reviews.models import Case
from reviews.packets.build import PacketRead
from reviews.packets.document import render_packet_html

# The documents' own origin. ".invalid" never resolves (RFC 2606), and only the fetcher below
# knows what lives there: the project's static files under /static/.
ORIGIN = "https://packet.invalid"
STATIC_PREFIX = "/static/"
STYLESHEET = "css/packet.css"
# Laid-out PDFs are kept here (config/settings.py).
PDF_CACHE = "packets"


class FetchRefused(ValueError):
    """A resource the packet may not load: anything but the project's own static files."""


class StaticFilesOnly(URLFetcher):
    """WeasyPrint's fetcher, cut down to the project's static files; every other URL is refused.

    A refusal is an ordinary fetch error: WeasyPrint logs it and renders without the resource.
    """

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        path = static_path(url)
        if path is None:
            raise FetchRefused(f"The packet loads only its own static files, not {url!r}.")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            url, body=path.read_bytes(), headers={"Content-Type": content_type}
        )


def static_path(url: str) -> Path | None:
    """The file behind a packet URL, or None when the URL is not one of our static files."""
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != ORIGIN or not parts.path.startswith(STATIC_PREFIX):
        return None
    relative = unquote(parts.path.removeprefix(STATIC_PREFIX))
    segments = relative.split("/")
    if not relative or any(s in ("", ".", "..") or "\\" in s for s in segments):
        return None
    found = finders.find(relative)
    return Path(found) if isinstance(found, str) else None


class _Renderer(threading.local):
    """Per thread, the font configuration and the parsed stylesheet every packet shares.

    Made afresh for each document they cost a fontconfig set-up, font loading and a parse of the
    stylesheet per packet, and a cycle export renders hundreds. Pango objects stay in the thread
    that made them. Like cached templates, the stylesheet is read once per thread, and the
    bytes parsed are the ones that name a kept PDF (`layout_inputs`).
    """

    font_config: FontConfiguration | None = None
    stylesheet: CSS | None = None
    _inputs: bytes = b""

    def get(self) -> tuple[FontConfiguration, CSS]:
        if self.font_config is None or self.stylesheet is None:
            url = f"{ORIGIN}{STATIC_PREFIX}{STYLESHEET}"
            source = static_path(url).read_bytes()
            self.font_config = FontConfiguration()
            self.stylesheet = CSS(
                string=source.decode(),
                base_url=url,
                url_fetcher=StaticFilesOnly(),
                font_config=self.font_config,
            )
            self._inputs = weasyprint.__version__.encode() + b"\0" + source
        return self.font_config, self.stylesheet

    def layout_inputs(self) -> bytes:
        """What besides the HTML a layout depends on: WeasyPrint's version and the stylesheet."""
        self.get()
        return self._inputs


_renderer = _Renderer()


def render_packet_pdf(
    case: Case, *, as_of: datetime.date | None = None, read: PacketRead | None = None
) -> bytes:
    """The packet of one case as an A4 PDF; `case` should come with candidate, sponsor, guide.

    The HTML is made each time, from the database; laying it out is what costs (seconds for a
    large case), and the layout depends on nothing else than that HTML, the stylesheet and
    WeasyPrint: the PDF is kept under their hash, so the same packet is laid out once. `read`, the
    packet already read (`read_packet`), saves reading it again.
    """
    html = render_packet_html(case, as_of=as_of, read=read)
    key = pdf_key(html)
    kept = caches[PDF_CACHE].get(key)
    if kept is not None:
        return kept
    font_config, stylesheet = _renderer.get()
    document = HTML(string=html, base_url=f"{ORIGIN}/", url_fetcher=StaticFilesOnly())
    pdf = document.write_pdf(stylesheets=[stylesheet], font_config=font_config)
    caches[PDF_CACHE].set(key, pdf)
    return pdf


def pdf_key(html: str) -> str:
    digest = hashlib.sha256(_renderer.layout_inputs())
    digest.update(html.encode())
    return f"packet-pdf:{digest.hexdigest()}"
