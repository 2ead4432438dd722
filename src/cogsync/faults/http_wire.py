"""Just enough HTTP/1.1 to find where a message ends, keeping its bytes as they came.

The fault proxy forwards a request's bytes unchanged (a SigV4 signature covers the
request line and the signed headers, so nothing may be rewritten) and needs only to know
where one message ends and the next begins on a keep-alive connection: the head ends at
an empty line, the body by ``Content-Length``, by chunked framing (kept as framed), or,
for an answer with neither, at the end of the connection.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import BinaryIO

MAX_LINE = 64 * 1024
MAX_HEADERS = 256
CRLF = b"\r\n"


class BadMessage(Exception):
    """The bytes are not an HTTP/1.x message this proxy can frame."""


class ClosedBeforeMessage(Exception):
    """The peer closed the connection before the first byte of a message."""


@dataclass
class Head:
    """A start line and header lines, as received (without line ends)."""

    start_line: bytes
    header_lines: list[bytes]
    headers: dict[str, str] = field(default_factory=dict)  # lower-case name -> value (joined)

    @property
    def version(self) -> str:
        words = self.start_line.split(b" ", 2)
        return (words[2] if self.is_request else words[0]).decode("latin-1")

    @property
    def is_request(self) -> bool:
        return not self.start_line.startswith(b"HTTP/")

    def tokens(self, name: str) -> set[str]:
        """The comma-separated, lower-cased tokens of a header such as Connection."""
        return {token.strip().lower() for token in self.headers.get(name, "").split(",") if token.strip()}

    def to_bytes(self, leave_out: frozenset[str] = frozenset()) -> bytes:
        lines = [self.start_line]
        lines += [line for line in self.header_lines if _name(line) not in leave_out]
        return CRLF.join(lines) + CRLF + CRLF


@dataclass
class Request:
    head: Head
    body: bytes  # as framed on the wire (chunked stays chunked)

    @property
    def method(self) -> str:
        return self.head.start_line.split(b" ", 1)[0].decode("latin-1")

    @property
    def target(self) -> str:
        return self.head.start_line.split(b" ", 2)[1].decode("latin-1")

    @property
    def keep_alive(self) -> bool:
        """Whether the client expects the connection to stay open after the answer."""
        connection = self.head.tokens("connection")
        if self.head.version == "HTTP/1.0":
            return "keep-alive" in connection
        return "close" not in connection

    def to_bytes(self) -> bytes:
        """What goes upstream: as received, less ``Expect`` (the proxy answered 100 itself)."""
        return self.head.to_bytes(leave_out=frozenset({"expect"})) + self.body


@dataclass
class Response:
    head: Head
    body: bytes
    until_close: bool  # the body ran to the end of the connection

    @property
    def status(self) -> int:
        return int(self.head.start_line.split(b" ", 2)[1])

    @property
    def closes(self) -> bool:
        """Whether the upstream ends the connection after this answer."""
        if self.until_close:
            return True
        connection = self.head.tokens("connection")
        if self.head.version == "HTTP/1.0":
            return "keep-alive" not in connection
        return "close" in connection

    def to_bytes(self) -> bytes:
        return self.head.to_bytes() + self.body

    def split_point(self) -> int:
        """Where to cut this answer for a reset: half-way through the body, or the head."""
        head = len(self.head.to_bytes())
        return head + len(self.body) // 2 if self.body else max(1, head // 2)


def _name(line: bytes) -> str:
    return line.split(b":", 1)[0].strip().lower().decode("latin-1")


def _line(stream: BinaryIO) -> bytes:
    line = stream.readline(MAX_LINE + 1)
    if len(line) > MAX_LINE:
        raise BadMessage("a line is longer than 64 KiB")
    if line and not line.endswith(b"\n"):
        raise BadMessage("the connection ended inside a line")
    return line


def read_head(stream: BinaryIO) -> Head:
    """The next message's head; :class:`ClosedBeforeMessage` on a clean end of the stream."""
    start = _line(stream)
    while start in (b"\r\n", b"\n"):  # tolerated before a request (RFC 9112, 2.2)
        start = _line(stream)
    if not start:
        raise ClosedBeforeMessage()
    head = Head(start.rstrip(b"\r\n"), [])
    words = head.start_line.split(b" ", 2)
    if len(words) < 2 or (head.is_request and (len(words) != 3 or not words[2].startswith(b"HTTP/1."))):
        raise BadMessage(f"not an HTTP/1.x start line: {head.start_line[:80]!r}")
    while True:
        line = _line(stream)
        if not line:
            raise BadMessage("the connection ended inside the headers")
        line = line.rstrip(b"\r\n")
        if not line:
            return head
        name, colon, value = line.partition(b":")
        if not colon or not name or name != name.strip() or len(head.header_lines) >= MAX_HEADERS:
            raise BadMessage(f"not a header line: {line[:80]!r}")
        head.header_lines.append(line)
        key = name.decode("latin-1").lower()
        text = value.strip().decode("latin-1")
        head.headers[key] = f"{head.headers[key]}, {text}" if key in head.headers else text


def _exactly(stream: BinaryIO, size: int) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise BadMessage(f"the connection ended {size - len(data)} bytes before the body's end")
    return data


def _chunked(stream: BinaryIO) -> bytes:
    """A chunked body with its framing, through the last chunk and the trailers."""
    parts = []
    while True:
        size_line = _line(stream)
        parts.append(size_line)
        try:
            size = int(size_line.split(b";", 1)[0].strip(), 16)
        except ValueError:
            raise BadMessage(f"not a chunk size: {size_line[:40]!r}") from None
        if size < 0:
            raise BadMessage("a negative chunk size")
        if size == 0:
            while True:  # trailers, then the empty line
                trailer = _line(stream)
                if not trailer:
                    raise BadMessage("the connection ended inside the trailers")
                parts.append(trailer)
                if trailer in (b"\r\n", b"\n"):
                    return b"".join(parts)
        parts.append(_exactly(stream, size + 2))


def _is_chunked(head: Head) -> bool:
    codings = [c.strip().lower() for c in head.headers.get("transfer-encoding", "").split(",") if c.strip()]
    return bool(codings) and codings[-1] == "chunked"


def _content_length(head: Head) -> int | None:
    if "content-length" not in head.headers:
        return None
    values = {value.strip() for value in head.headers["content-length"].split(",")}
    if len(values) != 1 or not next(iter(values)).isdigit():
        raise BadMessage(f"Content-Length {head.headers['content-length']!r}")
    return int(values.pop())


def read_request_body(stream: BinaryIO, head: Head) -> Request:
    if "transfer-encoding" in head.headers:
        if not _is_chunked(head):
            raise BadMessage(f"Transfer-Encoding {head.headers['transfer-encoding']!r} without chunked last")
        return Request(head, _chunked(stream))
    length = _content_length(head)
    return Request(head, _exactly(stream, length) if length else b"")


def read_response(stream: BinaryIO, method: str) -> Response:
    """The final answer to a request made with ``method`` (1xx interim answers are skipped)."""
    while True:
        head = read_head(stream)
        if head.is_request:
            raise BadMessage(f"not a status line: {head.start_line[:80]!r}")
        try:
            status = int(head.start_line.split(b" ", 2)[1])
        except ValueError:
            raise BadMessage(f"not a status line: {head.start_line[:80]!r}") from None
        if 100 <= status < 200 and status != 101:
            continue
        break
    if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
        return Response(head, b"", until_close=False)
    if _is_chunked(head):
        return Response(head, _chunked(stream), until_close=False)
    length = _content_length(head)
    if length is not None:
        return Response(head, _exactly(stream, length), until_close=False)
    return Response(head, stream.read(), until_close=True)
