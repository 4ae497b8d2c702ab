"""The Web function's entry point: the app built once at boot, served by waitress on port 9000.

scf_bootstrap runs `python -m web_function` from the function's code root on Tencent SCF; the
same command serves the site anywhere else (WEB_PORT, WEB_THREADS, WEB_FUNCTION_SCHEME).
"""

import logging
import os
import sys

from flask_serverless.web_function import PORT, serve
from maimai_probe import create_app

logging.basicConfig(level=logging.INFO, stream=sys.stderr)
os.environ.setdefault("APP_ENV", "production")  # a deployed function never runs as development

app = create_app()

if __name__ == "__main__":
    serve(
        app,
        port=int(os.environ.get("WEB_PORT") or PORT),
        scheme=os.environ.get("WEB_FUNCTION_SCHEME") or "https",
    )
