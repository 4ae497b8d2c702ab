"""Templates compiled when the code is packaged, so a cold start does not compile them.

Jinja turns a template into Python at its first render: a page, its layout and its macros
cost a fresh process 20-50 ms of its first answer. The packaging runs

    python -m maimai_probe.packaging

with the function's own interpreter and Jinja on the code it ships, which writes every
template's compiled code into compiled/<cache tag>/ beside this module (compiled/cpython-36/
for CPython 3.6). An app finds that folder and reads a template's code from it instead of
compiling; an entry is used only while the template's source, Python's version and Jinja's
version are the ones it was written for, else Jinja compiles the template as always. Nothing
is written at run time: a function's code folder is read-only.
"""

import hashlib
import os
import pickle
import sys
from typing import Optional

import jinja2
from flask import Flask
from jinja2.bccache import Bucket, BytecodeCache

HERE = os.path.dirname(os.path.abspath(__file__))
CODE_ROOT = os.path.dirname(os.path.dirname(HERE))


def default_folder() -> str:
    """Return where the packaging writes this interpreter's compiled templates."""
    return os.path.join(HERE, "compiled", sys.implementation.cache_tag or "uncached")


class CompiledTemplates(BytecodeCache):
    """Jinja's code for each template, read from a folder written at packaging time."""

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def get_cache_key(self, name: str, filename: Optional[str] = None) -> str:
        """Key a template by its name and Jinja's version, not by where the code lies."""
        version = getattr(jinja2, "__version__", "")
        return hashlib.sha1(("%s|%s" % (version, name)).encode("utf-8")).hexdigest()  # noqa: S324

    def path(self, bucket: Bucket) -> str:
        """Return the file of a template's compiled code."""
        return os.path.join(self.folder, bucket.key + ".cache")

    def load_bytecode(self, bucket: Bucket) -> None:
        """Read a template's code; the bucket drops it if its source or Python differ."""
        try:
            with open(self.path(bucket), "rb") as handle:
                bucket.load_bytecode(handle)
        except (OSError, EOFError, ValueError, pickle.UnpicklingError):
            bucket.reset()  # unreadable or cut short: compiled anew

    def dump_bytecode(self, bucket: Bucket) -> None:
        """Keep nothing: the folder is written only by the packaging."""


def init_app(app: Flask) -> None:
    """Read the templates' compiled code from the packaging's folder, when it is there."""
    folder = app.config.get("COMPILED_TEMPLATES")
    if folder is None:
        folder = default_folder()
    if folder and os.path.isdir(folder):
        app.jinja_env.bytecode_cache = CompiledTemplates(folder)


def write(app: Flask, folder: str) -> int:
    """Compile every template of an app into a folder; return how many were written."""
    environment = app.jinja_env
    cache = CompiledTemplates(folder)
    os.makedirs(folder, exist_ok=True)
    written = 0
    for name in environment.list_templates():
        source, filename, _ = environment.loader.get_source(environment, name)
        bucket = cache.get_bucket(environment, name, filename, source)
        # The code names the template by its path in the code root, not where it was built.
        shown = os.path.relpath(filename, CODE_ROOT) if filename else name
        bucket.code = environment.compile(source, name, shown.replace(os.sep, "/"))
        with open(cache.path(bucket), "wb") as handle:
            bucket.write_bytecode(handle)
        written += 1
    return written
