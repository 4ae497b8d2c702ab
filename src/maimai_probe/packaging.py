"""Prepare the code a function ships: compile its templates with the function's interpreter.

    python -m maimai_probe.packaging [FOLDER]

Run by the deployment's packaging on the code it ships, with the runtime's own Python and
libraries (CPython 3.6 and the layer for the Python3.6 runtime): it writes the compiled
templates of web/compiled_templates.py into FOLDER, by default the folder beside that module
which an app of this Python reads.
"""

import sys
from typing import List, Optional

from flask import Flask

from .blueprints import eager_app
from .web import compiled_templates


def packaging_app() -> Flask:
    """Return an app with every template the site has, compiling them itself."""
    return eager_app(COMPILED_TEMPLATES="")


def main(argv: Optional[List[str]] = None) -> int:
    """Write this interpreter's compiled templates."""
    arguments = sys.argv[1:] if argv is None else argv
    folder = arguments[0] if arguments else compiled_templates.default_folder()
    count = compiled_templates.write(packaging_app(), folder)
    print("compiled %d templates into %s" % (count, folder))
    return 0


if __name__ == "__main__":
    sys.exit(main())
