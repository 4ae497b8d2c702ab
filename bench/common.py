"""What every benchmark shares: paths, the machine, result tables and the benchmark databases."""

import datetime
import json
import os
import pathlib
import platform
import random
import shutil
import subprocess
import sys
from typing import Any, Dict, List, NamedTuple, Optional, Sequence

ROOT = pathlib.Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

SHARED_CATALOG = ROOT.parent / "shared" / "fixtures" / "diving-fish" / "music_data.json"
DEMO_CATALOG = ROOT / "src" / "maimai_probe" / "demo_catalog.json"
BENCH_SECRET = "bench-secret-0123456789abcdef-not-for-production"

#: The benchmark databases the bench creates on the server and drops afterwards.
LARGE_DATABASE = "probe_bench"
SMALL_DATABASE = "probe_bench_small"


class Table(NamedTuple):
    """One benchmark's results: a title, column names, rows of cells and notes under it."""

    title: str
    columns: Sequence[str]
    rows: List[Sequence[Any]]
    notes: List[str]


def cell(value: Any) -> str:
    """Format one table cell: numbers with thousands separators, floats to 3 significant-ish."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value >= 100:
            return f"{value:,.0f}"
        if value >= 10:
            return "%.1f" % value
        return "%.2f" % value
    return str(value)


def is_number(value: Any) -> bool:
    """Tell whether a cell holds a number, which tables align right."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def text_table(table: Table) -> str:
    """Return a table as aligned plain text, for the terminal: text left, numbers right."""
    rows = [[cell(value) for value in row] for row in table.rows]
    widths = [len(name) for name in table.columns]
    for row in rows:
        widths = [max(width, len(text)) for width, text in zip(widths, row)]
    numeric = [
        index > 0 and any(is_number(row[index]) for row in table.rows)
        for index in range(len(table.columns))
    ]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            text.rjust(width) if right else text.ljust(width)
            for text, width, right in zip(cells, widths, numeric)
        ).rstrip()

    out = ["", "== %s ==" % table.title, line(list(table.columns))]
    out.append("  ".join("-" * width for width in widths))
    out.extend(line(row) for row in rows)
    out.extend("  " + note for note in table.notes)
    return "\n".join(out)


def markdown_table(table: Table) -> str:
    """Return a table as Markdown, numbers aligned right."""
    align = [
        "---:" if index > 0 and any(is_number(row[index]) for row in table.rows) else "---"
        for index in range(len(table.columns))
    ]
    out = ["### %s" % table.title, ""]
    out.append("| %s |" % " | ".join(table.columns))
    out.append("| %s |" % " | ".join(align))
    for row in table.rows:
        out.append("| %s |" % " | ".join(cell(value).replace("|", "\\|") for value in row))
    if table.notes:
        out.append("")
        out.extend(table.notes)
    return "\n".join(out)


def show(table: Table) -> Table:
    """Print a table as soon as it is measured, and return it."""
    print(text_table(table), flush=True)
    return table


def command_output(command: Sequence[str]) -> str:
    """Return a command's first line of output, or '' when it is not there."""
    if shutil.which(command[0]) is None:
        return ""
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    lines = (result.stdout or result.stderr).strip().splitlines()
    return lines[0] if lines else ""


def cpu_model() -> str:
    """Return the CPU's model name from /proc/cpuinfo."""
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def memory_total() -> str:
    """Return the machine's memory from /proc/meminfo, in GiB."""
    try:
        for line in pathlib.Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return "%.1f GiB" % (int(line.split()[1]) / 1024.0 / 1024.0)
    except OSError:
        pass
    return "unknown"


def package_version(name: str) -> str:
    """Return an installed distribution's version, or 'absent'."""
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "absent"


def machine() -> Dict[str, str]:
    """Describe the machine and the software the numbers were measured on."""
    python36 = ROOT / ".venv36" / "bin" / "python"
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cores (nproc)": str(os.cpu_count()),
        "memory": memory_total(),
        "CPU": cpu_model(),
        "kernel": platform.release(),
        "Python (bench, app under gunicorn)": platform.python_version(),
        "Python (the 3.6 layer)": command_output([str(python36), "--version"]) or "absent",
        "PostgreSQL": command_output(["psql", "--version"]) or "absent",
        "wrk": command_output(["wrk", "--version"]) or "absent",
        "packages": ", ".join(
            "%s %s" % (name, package_version(name))
            for name in (
                "flask",
                "sqlalchemy",
                "psycopg2-binary",
                "flask-compress",
                "brotli",
                "jieba",
                "gunicorn",
            )
        ),
        "load average at start": "%.2f %.2f %.2f" % load,
    }


def catalog_data() -> List[Dict[str, Any]]:
    """Return the shared catalog, or a made-up one of the same size without ../shared."""
    if SHARED_CATALOG.exists():
        return json.loads(SHARED_CATALOG.read_text(encoding="utf-8"))
    rnd = random.Random(1)
    made = []
    for number in range(1, 1287):
        top = rnd.randrange(110, 151) / 10
        ds = [round(top * share, 1) for share in (0.35, 0.55, 0.75, 1.0)]
        made.append(
            {
                "id": str(number),
                "title": "曲 %d 星の歌 Song" % number,
                "type": "DX" if number % 2 else "SD",
                "ds": ds,
                "level": [str(int(value)) for value in ds],
                "charts": [{"notes": [400], "charter": "-"} for _ in ds],
                "basic_info": {
                    "artist": "作者 %d" % (number % 97),
                    "genre": "舞萌",
                    "bpm": 150,
                    "is_new": number % 10 == 0,
                },
            }
        )
    return made


# --- databases -----------------------------------------------------------------------------


def database_url(admin_url: str, name: str) -> str:
    """Return the admin URL pointed at another database of the same server."""
    from sqlalchemy.engine import make_url

    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def describe_url(url: str) -> str:
    """Return a URL fit for printing, its password masked."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def admin_execute(admin_url: str, *statements: str) -> None:
    """Run statements outside a transaction on the admin URL's server, as CREATE DATABASE needs."""
    from sqlalchemy import create_engine, text

    from maimai_probe import config

    engine = create_engine(
        config.normalise_database_url(admin_url), isolation_level="AUTOCOMMIT", future=True
    )
    try:
        with engine.connect() as connection:
            for statement in statements:
                connection.execute(text(statement))
    finally:
        engine.dispose()


def recreate_database(admin_url: str, name: str) -> str:
    """Drop and create a database on the admin URL's server; return its URL."""
    admin_execute(
        admin_url,
        'DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name,
        "CREATE DATABASE \"%s\" ENCODING 'UTF8' TEMPLATE template0" % name,
    )
    return database_url(admin_url, name)


def drop_database(admin_url: str, name: str) -> None:
    """Drop a benchmark database, closing whoever is still connected."""
    admin_execute(admin_url, 'DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name)


def app_settings(url: str, **extra: Any) -> Dict[str, Any]:
    """Return the settings of an app on a benchmark database: production, no auto-migrate."""
    values = {
        "APP_ENV": "production",
        "SECRET_KEY": BENCH_SECRET,
        "DATABASE_URL": url,
        "AUTO_MIGRATE": False,
    }  # type: Dict[str, Any]
    values.update(extra)
    return values


def app_environment(url: str, base: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    """Return the environment that configures a served app on a benchmark database."""
    environ = dict(os.environ if base is None else base)
    for name in ("DATABASE_URL", "SECRET_KEY", "APP_ENV", "DATA_DIR", "AUTO_MIGRATE"):
        environ.pop(name, None)
    environ.update(
        {
            "APP_ENV": "production",
            "SECRET_KEY": BENCH_SECRET,
            "DATABASE_URL": url,
            "AUTO_MIGRATE": "0",
            "PYTHONPATH": os.pathsep.join(
                [str(ROOT / "src")] + ([environ["PYTHONPATH"]] if "PYTHONPATH" in environ else [])
            ),
        }
    )
    return environ
