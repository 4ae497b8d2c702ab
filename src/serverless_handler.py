"""The function's entry point: one app per container, built at import, then one call per event.

Tencent SCF and AWS Lambda import this module once per container and call handler(event,
context) for every invocation; serverless.yml names it as serverless_handler.handler.
"""

import logging
import os

from flask_serverless import make_handler
from maimai_probe import create_app

logging.basicConfig(level=logging.INFO)
os.environ.setdefault("APP_ENV", "production")  # a deployed function never runs as development

app = create_app()
handler = make_handler(app)
