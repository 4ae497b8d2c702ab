"""Peak resident memory of a fresh worker process, with and without jieba loaded.

    .venv/bin/python -m bench.memory --url postgresql://.../probe_bench

Each scenario runs in a new Python process: it imports the app, creates it, serves the
record page through the test client, and then, in some scenarios, /jieba/ or a search.
The peak is the process's own high-water mark, VmHWM in /proc/self/status, read at each
step; resource.getrusage's ru_maxrss is not used on Linux because it carries the launching
process's peak across fork and exec (a 140 MiB bench would report every child as >= 140 MiB).
Elsewhere, without /proc, ru_maxrss it is.
"""

import argparse
import json
import platform
import subprocess
import sys
from typing import Dict, List, Sequence

from bench import common

PLAYER = "player05"
SCENARIOS = (
    ("import and create the app, no request", ()),
    ("serve the record page", ("/players/%s/plays" % PLAYER,)),
    ("record page, then /jieba/ (segment a text)", ("/players/%s/plays" % PLAYER, "/jieba/")),
    (
        "record page, then a search (jieba + title index)",
        ("/players/%s/plays" % PLAYER, "/songs?q=love"),
    ),
)


def child(url: str, paths: Sequence[str]) -> None:
    """Serve the paths in this process and print the peak RSS after each step, as JSON."""

    def peak_mib() -> float:
        try:
            with open("/proc/self/status") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1]) / 1024.0
        except OSError:
            pass
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0

    steps = [{"step": "python started", "peak_mib": peak_mib()}]
    from maimai_probe import create_app

    app = create_app(common.app_settings(url))
    steps.append({"step": "app created", "peak_mib": peak_mib(), "jieba": "jieba" in sys.modules})
    client = app.test_client()
    for path in paths:
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit("%s answered %d" % (path, response.status_code))
        steps.append({"step": path, "peak_mib": peak_mib(), "jieba": "jieba" in sys.modules})
    print(json.dumps(steps))


def scenario(url: str, paths: Sequence[str]) -> List[Dict[str, object]]:
    """Run one scenario in a fresh process and return its steps."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.memory", "--url", url, "--child"] + list(paths),
        cwd=str(common.ROOT),
        env=common.app_environment(url),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError("memory scenario failed:\n" + done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(url: str) -> List[common.Table]:
    """Measure each scenario's peak RSS in a fresh process."""
    rows = []
    page_only = None
    for name, paths in SCENARIOS:
        steps = scenario(url, paths)
        last = steps[-1]
        peak = float(last["peak_mib"])
        if len(paths) == 1:
            page_only = peak
        extra = peak - page_only if page_only is not None and len(paths) > 1 else None
        rows.append(
            (
                name,
                " → ".join(str(step["step"]) for step in steps[1:]),
                bool(last.get("jieba")),
                peak,
                extra,
            )
        )
    notes = [
        "A fresh `.venv/bin/python -m bench.memory --child` per row (Python %s), the app on the "
        "100,000-play archive; MiB from VmHWM (bench/memory.py says why not ru_maxrss). "
        "jieba is imported on first use only, so a worker that never segments text never "
        "pays for it." % platform.python_version()
    ]
    columns = ("scenario", "steps", "jieba loaded", "peak RSS MiB", "MiB over the page alone")
    return [common.Table("Memory: peak RSS of a fresh worker", columns, rows, notes)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="a database bench.archive filled")
    parser.add_argument("--child", nargs="*", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child is not None:
        child(options.url, options.child)
        return
    for table in run(options.url):
        common.show(table)


if __name__ == "__main__":
    main()
