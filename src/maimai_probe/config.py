"""Layered configuration: defaults in code, then the environment, then overrides."""

import os
import tempfile
from typing import Any, Dict, Mapping, Optional

#: The development secret; production refuses to start with it or without a secret.
DEVELOPMENT_SECRET = "dev-only-secret-do-not-deploy"  # noqa: S105 - refused in production

#: Settings read from the environment, with the type each is converted to.
ENVIRONMENT_SETTINGS = {
    "APP_ENV": str,
    "SECRET_KEY": str,
    "DATABASE_URL": str,
    "DATA_DIR": str,
    "ADMIN_TOKEN": str,
    "TRUSTED_PROXIES": int,
    "TRUSTED_PROXY_HEADERS": str,
    "FORCE_HTTPS": bool,
    "BASE_PATH": str,
    "STATIC_FOLDER": str,
    "MAX_CONTENT_LENGTH": int,
    "DB_CONNECT_TIMEOUT": int,
    "DB_STATEMENT_TIMEOUT_MS": int,
    "DB_READ_TIMEOUT_MS": int,
    "DB_POOL_SIZE": int,
    "AUTO_MIGRATE": bool,
    "PAGE_SIZE": int,
    "PAGE_CACHE_BYTES": int,
    "DEMO_KEYWORDS": bool,
    "JACKET_SOURCE_URL": str,
    "JACKET_OFFICIAL_URL": str,
    "JACKET_FETCH_WORKERS": int,
    "JACKET_FETCH_TIMEOUT": int,
}


class ConfigError(RuntimeError):
    """The configuration cannot run the app safely."""


def defaults() -> Dict[str, Any]:
    """Return the settings the app uses when nothing else is said."""
    return {
        "APP_ENV": "development",  # the deployed entry points say production
        "SECRET_KEY": None,
        "DATABASE_URL": None,  # None: SQLite in DATA_DIR
        "DATA_DIR": None,  # None: ./var, or the temp dir where the code folder is read-only
        "ADMIN_TOKEN": None,
        "TRUSTED_PROXIES": 0,
        "TRUSTED_PROXY_HEADERS": None,  # None: X-Forwarded-For and X-Forwarded-Proto
        "FORCE_HTTPS": False,
        "BASE_PATH": "",
        "STATIC_FOLDER": None,  # None: the static/ folder beside src/, or inside the code root
        "MAX_CONTENT_LENGTH": 8 * 1024 * 1024,
        "MAX_FORM_MEMORY_SIZE": None,  # None: as large as MAX_CONTENT_LENGTH (pasted pages)
        "DB_CONNECT_TIMEOUT": 3,
        "DB_STATEMENT_TIMEOUT_MS": 15000,
        "DB_READ_TIMEOUT_MS": 5000,  # pages and API reads: they never need long
        "DB_POOL_SIZE": 5,
        "AUTO_MIGRATE": None,  # None: migrate by itself only on the embedded SQLite default
        "PAGE_SIZE": 50,
        "PAGE_CACHE_BYTES": 32 * 1024 * 1024,  # rendered pages kept per process; 0: none
        "DEMO_KEYWORDS": None,  # None: /jieba/ picks keywords everywhere but in production
        # Jackets: a public cover source by the catalog's song id ("{id}", "{id:05d}"), and
        # the official image a saved page names ("{site}", "{service}", "{name}").
        "JACKET_SOURCE_URL": None,
        "JACKET_OFFICIAL_URL": "{site}/maimai-mobile/img/Music/{name}.png",
        "JACKET_FETCH_WORKERS": 4,
        "JACKET_FETCH_TIMEOUT": 10,  # seconds per image
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "JSON_AS_ASCII": False,
        # Templates compiled by the packaging (web/compiled_templates.py); None: the folder
        # it writes for this Python, when there is one; "": compile every template anew.
        "COMPILED_TEMPLATES": None,
    }


def _convert(kind: type, raw: str) -> Any:
    """Convert one environment value to its setting's type."""
    if kind is bool:
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if kind is int:
        return int(raw)
    return raw


def from_environment(environ: Mapping[str, str]) -> Dict[str, Any]:
    """Return the settings the environment gives."""
    settings = {}
    for name, kind in ENVIRONMENT_SETTINGS.items():
        raw = environ.get(name)
        if raw is None or raw == "":
            continue
        try:
            settings[name] = _convert(kind, raw)
        except ValueError:
            raise ConfigError("%s=%r is not a valid %s" % (name, raw, kind.__name__)) from None
    return settings


def writable_data_dir(preferred: Optional[str] = None) -> str:
    """Return a data directory the process can write: ./var, else the temp dir."""
    candidates = [preferred] if preferred else [os.path.join(os.getcwd(), "var")]
    candidates.append(os.path.join(tempfile.gettempdir(), "maimai-probe"))
    for path in candidates:
        try:
            os.makedirs(path, exist_ok=True)
        except OSError:
            continue
        if os.access(path, os.W_OK):
            return path
    raise ConfigError("no writable data directory among %s" % ", ".join(candidates))


def resolve(
    overrides: Optional[Mapping[str, Any]] = None, environ: Optional[Mapping[str, str]] = None
) -> Dict[str, Any]:
    """Layer defaults, environment and overrides, then fill in derived settings."""
    settings = defaults()
    settings.update(from_environment(os.environ if environ is None else environ))
    settings.update(overrides or {})

    production = settings["APP_ENV"] == "production" and not settings.get("TESTING")
    secret = settings["SECRET_KEY"]
    if production and (not secret or secret == DEVELOPMENT_SECRET or len(secret) < 16):
        raise ConfigError(
            "SECRET_KEY must be set to a long random value in production "
            '(python -c "import secrets; print(secrets.token_hex(32))"), '
            "or set APP_ENV=development for local use"
        )
    if not secret:
        settings["SECRET_KEY"] = DEVELOPMENT_SECRET

    if not settings["DATABASE_URL"]:
        data_dir = writable_data_dir(settings["DATA_DIR"])
        settings["DATA_DIR"] = data_dir
        settings["DATABASE_URL"] = "sqlite:///" + os.path.join(data_dir, "maimai-probe.sqlite3")
        if settings["AUTO_MIGRATE"] is None:
            settings["AUTO_MIGRATE"] = True
    if settings["AUTO_MIGRATE"] is None:
        settings["AUTO_MIGRATE"] = False
    settings["DATABASE_URL"] = normalise_database_url(settings["DATABASE_URL"])
    if settings["DEMO_KEYWORDS"] is None:
        settings["DEMO_KEYWORDS"] = settings["APP_ENV"] != "production"
    settings["SESSION_COOKIE_SECURE"] = bool(settings["FORCE_HTTPS"])
    if settings["MAX_FORM_MEMORY_SIZE"] is None:
        # Flask 3.1 caps a form's text fields at 500 kB; a pasted score list is larger.
        settings["MAX_FORM_MEMORY_SIZE"] = settings["MAX_CONTENT_LENGTH"]
    return settings


def normalise_database_url(url: str) -> str:
    """Pin PostgreSQL URLs to psycopg2, accepting the postgres:// spelling of hosting services."""
    # SQLAlchemy 2.1 picks psycopg 3 for a bare postgresql:// URL; the layer ships psycopg2.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg2://" + url[len(prefix) :]
    return url
