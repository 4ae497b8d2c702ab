"""A local image server for the jacket tests: real HTTP on 127.0.0.1, never the internet."""

import contextlib
import http.server
import socketserver
import struct
import threading
import time
import zlib
from typing import Iterator, NamedTuple, Optional


def chunk(kind: bytes, body: bytes) -> bytes:
    """Return one PNG chunk: length, type, body, CRC."""
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_header(width: int, height: int) -> bytes:
    """Return a PNG's signature and IHDR alone: how a decompression bomb starts."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)


def png(width: int, height: int, colour=(233, 65, 123)) -> bytes:
    """Return a PNG of one colour, written by hand: signature, IHDR, IDAT, IEND."""
    row = b"\x00" + bytes(colour) * width
    return (
        png_header(width, height)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


class Answer(NamedTuple):
    """What the server answers on one path."""

    status: int = 200
    body: bytes = b""
    content_type: str = "image/png"
    location: Optional[str] = None
    delay: float = 0.0
    trickle: float = 0.0  # seconds between each of the body's bytes


class ImageServer:
    """Answers each path as told and remembers every path asked for."""

    def __init__(self) -> None:
        self.answers = {}  # type: Dict[str, Answer]
        self.asked = []  # type: List[str]
        self.base = ""


@contextlib.contextmanager
def image_server() -> Iterator[ImageServer]:
    """Serve an ImageServer on a free port of 127.0.0.1 in a thread."""
    state = ImageServer()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
            state.asked.append(self.path)
            answer = state.answers.get(self.path, Answer(404, b"not here", "text/plain"))
            if answer.delay:
                time.sleep(answer.delay)
            try:
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.content_type)
                self.send_header("Content-Length", str(len(answer.body)))
                if answer.location:
                    self.send_header("Location", answer.location)
                self.end_headers()
                if answer.trickle:
                    for byte in answer.body:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(answer.trickle)
                else:
                    self.wfile.write(answer.body)
            except OSError:
                pass  # the client gave up waiting: that is the point of a slow answer

        def log_message(self, *args) -> None:
            pass

    class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
        daemon_threads = True

    server = Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.base = "http://127.0.0.1:%d" % server.server_address[1]
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
