"""Tell an image by its own bytes: PNG, JPEG or WebP, and its size; refuse anything else."""

import struct
from typing import NamedTuple

#: The largest jacket kept, in bytes and in pixels a side (official jackets are 200 x 200).
MAX_BYTES = 512 * 1024
MAX_SIDE = 1024


class ImageError(ValueError):
    """Bytes that are not a jacket we keep, with the reason in Chinese."""


class ImageInfo(NamedTuple):
    """What an image's header says."""

    media_type: str
    width: int
    height: int


def png_size(data: bytes) -> ImageInfo:
    """Read a PNG's size from its IHDR chunk."""
    if len(data) < 24 or data[12:16] != b"IHDR":
        raise ImageError("PNG 文件头不完整")
    width, height = struct.unpack(">II", data[16:24])
    return ImageInfo("image/png", width, height)


#: JPEG frame markers that carry the image's size (SOF0..SOF15 but DHT, JPG and DAC).
JPEG_FRAMES = set(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def jpeg_size(data: bytes) -> ImageInfo:
    """Read a JPEG's size from its first frame header."""
    offset = 2
    while offset + 9 < len(data):
        if data[offset] != 0xFF:
            raise ImageError("JPEG 结构无效")
        marker = data[offset + 1]
        if marker == 0xFF:  # fill byte
            offset += 1
            continue
        (length,) = struct.unpack(">H", data[offset + 2 : offset + 4])
        if marker in JPEG_FRAMES:
            height, width = struct.unpack(">HH", data[offset + 5 : offset + 9])
            return ImageInfo("image/jpeg", width, height)
        if length < 2:
            raise ImageError("JPEG 结构无效")
        offset += 2 + length
    raise ImageError("JPEG 里没有图像尺寸")


def webp_size(data: bytes) -> ImageInfo:
    """Read a WebP's size from its VP8, VP8L or VP8X chunk."""
    chunk = data[12:16]
    if chunk == b"VP8 " and len(data) >= 30:
        width, height = struct.unpack("<HH", data[26:30])
        return ImageInfo("image/webp", width & 0x3FFF, height & 0x3FFF)
    if chunk == b"VP8L" and len(data) >= 25:
        bits = int.from_bytes(data[21:25], "little")
        return ImageInfo("image/webp", (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
    if chunk == b"VP8X" and len(data) >= 30:
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return ImageInfo("image/webp", width, height)
    raise ImageError("WebP 文件头不完整")


def inspect(data: bytes) -> ImageInfo:
    """Return an image's type and size, refusing what is not a small PNG, JPEG or WebP."""
    if len(data) > MAX_BYTES:
        raise ImageError("图片太大（%d 字节，最多 %d）" % (len(data), MAX_BYTES))
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        info = png_size(data)
    elif data.startswith(b"\xff\xd8\xff"):
        info = jpeg_size(data)
    elif data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        info = webp_size(data)
    else:
        raise ImageError("不是 PNG、JPEG 或 WebP 图片")
    if not (0 < info.width <= MAX_SIDE and 0 < info.height <= MAX_SIDE):
        raise ImageError(
            "图片尺寸 %d×%d 不合适（每边最多 %d 像素）" % (info.width, info.height, MAX_SIDE)
        )
    return info
