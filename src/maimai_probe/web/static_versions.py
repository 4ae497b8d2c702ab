"""Static files under content-versioned URLs, cached by browsers for a year."""

import hashlib
import os
from typing import Any, Dict, Optional

from flask import Flask, current_app, request
from werkzeug.wrappers import Response

#: The query argument that carries a static file's content hash.
VERSION_ARG = "v"

#: Cache-Control of a static file asked for under its current version.
IMMUTABLE = "public, max-age=31536000, immutable"

_HASHES = {}  # path -> (mtime, size, version)


def file_version(filename: str) -> Optional[str]:
    """Return the first 12 hex digits of a static file's SHA-256, or None if it is missing."""
    folder = current_app.static_folder or ""
    path = os.path.join(folder, filename)
    try:
        stat = os.stat(path)
    except (OSError, ValueError):
        return None
    known = _HASHES.get(path)
    if known is not None and known[:2] == (stat.st_mtime, stat.st_size):
        return known[2]
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(65536), b""):
            digest.update(block)
    version = digest.hexdigest()[:12]
    _HASHES[path] = (stat.st_mtime, stat.st_size, version)
    return version


def add_version(endpoint: str, values: Dict[str, Any]) -> None:
    """Give url_for('static', filename=...) the file's content hash."""
    if endpoint != "static" or VERSION_ARG in values or "filename" not in values:
        return
    version = file_version(values["filename"])
    if version:
        values[VERSION_ARG] = version


def cache_versioned(response: Response) -> Response:
    """Let browsers keep a static file for a year when asked for under its current version."""
    if request.endpoint != "static" or response.status_code not in (200, 304):
        return response
    asked = request.args.get(VERSION_ARG)
    filename = (request.view_args or {}).get("filename")
    if asked and filename and asked == file_version(filename):
        response.headers["Cache-Control"] = IMMUTABLE
    return response


def init_app(app: Flask) -> None:
    """Version every static URL the app builds and cache those answers as immutable."""
    app.url_defaults(add_version)
    app.after_request(cache_versioned)
