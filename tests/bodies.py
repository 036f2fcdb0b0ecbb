"""Large request bodies made as they are read, so that sending one costs the sender no memory:
what a measurement then sees is the server's own.

`post_streamed` sends a multipart/form-data POST through Django's test client with a body of
any size generated chunk by chunk (each file is a repeated byte pattern), as a browser would
send it; Content-Length is exact.
"""

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from django.test import Client

BOUNDARY = "----streamed-body-boundary"
CHUNK = 64 * 1024


@dataclass(frozen=True)
class StreamedFile:
    field: str
    name: str
    size: int
    # Repeated to the file's size: plain text unless told otherwise.
    pattern: bytes = b"Notes from the planning offsite.\n"


def _parts(fields: Mapping[str, str], files: Sequence[StreamedFile]) -> Iterator[bytes]:
    for key, value in fields.items():
        yield (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'
        ).encode()
    for file in files:
        yield (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{file.field}"; '
            f'filename="{file.name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        ).encode()
        block = file.pattern * (CHUNK // len(file.pattern) + 1)
        left = file.size
        while left:
            piece = block[: min(left, CHUNK)]
            left -= len(piece)
            yield piece
        yield b"\r\n"
    yield f"--{BOUNDARY}--\r\n".encode()


def _length(fields: Mapping[str, str], files: Sequence[StreamedFile]) -> int:
    framing = sum(
        len(part) for part in _parts(fields, [StreamedFile(f.field, f.name, 0) for f in files])
    )
    return framing + sum(file.size for file in files)


class StreamedBody:
    """A file-like request body read once, front to back, as a WSGI server hands it over."""

    def __init__(self, fields: Mapping[str, str], files: Sequence[StreamedFile]) -> None:
        self.length = _length(fields, files)
        self._parts = _parts(fields, files)
        self._buffer = b""
        self.sent = 0

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            piece = next(self._parts, None)
            if piece is None:
                break
            self._buffer += piece
        if size < 0:
            size = len(self._buffer)
        out, self._buffer = self._buffer[:size], self._buffer[size:]
        self.sent += len(out)
        return out

    def readline(self, size: int = -1) -> bytes:
        return self.read(size)


def post_streamed(
    client: Client, path: str, fields: Mapping[str, str], files: Sequence[StreamedFile]
):
    """POST `fields` and `files` to `path` as multipart/form-data, the body made as it is read."""
    body = StreamedBody(fields, files)
    response = client.request(
        REQUEST_METHOD="POST",
        PATH_INFO=path,
        CONTENT_TYPE=f"multipart/form-data; boundary={BOUNDARY}",
        CONTENT_LENGTH=str(body.length),
        **{"wsgi.input": body},
    )
    response.body_read = body.sent
    return response
