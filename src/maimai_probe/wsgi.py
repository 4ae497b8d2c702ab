"""The WSGI entry point for a server such as gunicorn: one production app per process.

gunicorn --workers 2 maimai_probe.wsgi:app
"""

import os

from . import create_app

os.environ.setdefault("APP_ENV", "production")
app = create_app()
