"""How every download names its file: one header that any browser reads, whatever the script.

RFC 6266: a plain ASCII name is given as `filename`; any other is given in UTF-8 as `filename*`
(RFC 5987), after an ASCII stand-in as `filename` for the rare client that reads only that.
"""

import unicodedata
from urllib.parse import quote

from django.http import HttpResponseBase


def ascii_stand_in(filename: str) -> str:
    """Accents dropped, anything else outside printable ASCII (and quotes) as underscores."""
    letters = unicodedata.normalize("NFKD", filename)
    kept = (char for char in letters if not unicodedata.combining(char))
    return "".join(char if " " <= char <= "~" and char not in '"\\' else "_" for char in kept)


def as_download(response: HttpResponseBase, filename: str) -> HttpResponseBase:
    stand_in = ascii_stand_in(filename)
    header = f'attachment; filename="{stand_in}"'
    if stand_in != filename:
        header += f"; filename*=UTF-8''{quote(filename, safe='')}"
    response["Content-Disposition"] = header
    return response
