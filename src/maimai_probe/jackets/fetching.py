"""Download one jacket: http(s) only, no redirects, a deadline and a size limit."""

import http.client
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from .images import MAX_BYTES

USER_AGENT = "maimai-probe-jackets/1"
#: Bytes read at a time, so the deadline is checked while an answer trickles in.
CHUNK = 16 * 1024


class FetchError(RuntimeError):
    """A jacket that could not be downloaded, with the reason in Chinese."""


class NoRedirects(urllib.request.HTTPRedirectHandler):
    """Refuse redirects: a jacket source answers with the image or not at all."""

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str):
        """Refuse to follow the redirect."""
        raise FetchError("来源重定向到了别处（HTTP %d）" % code)


OPENER = urllib.request.build_opener(NoRedirects())


def read_until(response: Any, limit: int, deadline: float) -> bytes:
    """Read up to limit bytes, giving up at the deadline: a trickling answer is a timeout too."""
    chunks = []
    size = 0
    read = getattr(response, "read1", response.read)  # read1: what one packet brings
    while size < limit:
        if time.monotonic() > deadline:
            raise socket.timeout("deadline")
        chunk = read(min(CHUNK, limit - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def fetch(url: str, timeout: float, max_bytes: int = MAX_BYTES) -> bytes:
    """Return the bytes at an http(s) URL, refusing errors, redirects and oversized answers."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise FetchError("只能从 http 或 https 地址获取：%s" % url[:200])
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})  # noqa: S310 - http(s) only
    try:
        with OPENER.open(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise FetchError("图片太大（%s 字节，最多 %d）" % (length, max_bytes))
            data = read_until(response, max_bytes + 1, time.monotonic() + timeout)
    except urllib.error.HTTPError as error:
        raise FetchError("来源回答 HTTP %d" % error.code) from None
    except (socket.timeout, TimeoutError):
        raise FetchError("等待来源超过 %g 秒" % timeout) from None
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        if isinstance(reason, (socket.timeout, TimeoutError)):
            raise FetchError("等待来源超过 %g 秒" % timeout) from None
        raise FetchError("无法连接来源：%s" % reason) from None
    if len(data) > max_bytes:
        raise FetchError("图片太大（超过 %d 字节）" % max_bytes)
    return data
