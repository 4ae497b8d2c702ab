"""The jackets command: fetch every jacket the site does not keep yet, with a progress bar."""

import time
from concurrent.futures import ThreadPoolExecutor
from typing import List, Tuple

import click
from flask import current_app
from flask.cli import AppGroup

from .. import db
from ..models import bump_revision
from .fetching import FetchError, fetch
from .images import ImageError
from .store import Target, catalog_targets, keep, official_targets

jackets_commands = AppGroup("jackets", help="Keep jackets in the site's own database.")

#: Jackets written per transaction, so an interrupted run keeps what it fetched.
BATCH = 50
#: Failures listed by name; the rest are counted.
SHOWN_FAILURES = 20


def targets(session, official: bool, catalog: bool) -> List[Target]:
    """Return the jackets to fetch from the configured sources."""
    config = current_app.config
    found = []  # type: List[Target]
    try:
        if official:
            found.extend(official_targets(session, config["JACKET_OFFICIAL_URL"]))
        if catalog and config.get("JACKET_SOURCE_URL"):
            known = {target.name for target in found}
            found.extend(
                target
                for target in catalog_targets(session, config["JACKET_SOURCE_URL"])
                if target.name not in known
            )
    except (KeyError, IndexError, ValueError) as error:
        raise click.ClickException(
            "封面来源地址模板无效（%s）：可用 {id}、{site}、{service}、{name}" % error
        ) from None
    return found


def download(target: Target, timeout: float) -> Tuple[Target, bytes, str]:
    """Fetch one jacket, returning its bytes or the reason it failed."""
    try:
        return target, fetch(target.url, timeout), ""
    except FetchError as error:
        return target, b"", str(error)


@jackets_commands.command("fetch")
@click.option("--official/--no-official", default=True, help="Images the saved pages name.")
@click.option("--catalog/--no-catalog", default=True, help="Covers by song id (JACKET_SOURCE_URL).")
@click.option("--workers", type=click.IntRange(1, 16), help="Downloads at once.")
@click.option("--timeout", type=click.FloatRange(0.1, 120), help="Seconds per image.")
def fetch_command(official: bool, catalog: bool, workers: int, timeout: float) -> None:
    """Fetch each jacket the site does not keep yet and store it in the database."""
    config = current_app.config
    workers = workers or config["JACKET_FETCH_WORKERS"]
    timeout = timeout or config["JACKET_FETCH_TIMEOUT"]
    if catalog and not official and not config.get("JACKET_SOURCE_URL"):
        raise click.ClickException("没有设置 JACKET_SOURCE_URL：不知道从哪里按曲目 id 获取封面")
    failures = []  # type: List[Tuple[str, str]]
    kept = 0
    with db.database().session() as session:
        wanted = targets(session, official, catalog)
        if not wanted:
            click.echo("所有封面都已保存，没有要获取的。")
            return
        with ThreadPoolExecutor(max_workers=workers) as pool, click.progressbar(
            pool.map(lambda target: download(target, timeout), wanted),
            length=len(wanted),
            label="获取封面",
        ) as downloads:
            for target, data, reason in downloads:
                if not reason:
                    try:
                        keep(session, target, data, int(time.time()))
                        kept += 1
                    except ImageError as error:
                        reason = str(error)
                if reason:
                    failures.append((target.name, reason))
                if kept and kept % BATCH == 0:
                    session.commit()
        if kept:
            bump_revision(session)  # every player's kept pages now show the jackets
        session.commit()
    click.echo("保存了 %d 张封面，%d 张失败。" % (kept, len(failures)))
    for name, reason in failures[:SHOWN_FAILURES]:
        click.echo("  %s：%s" % (name, reason), err=True)
    if len(failures) > SHOWN_FAILURES:
        click.echo("  ……还有 %d 张" % (len(failures) - SHOWN_FAILURES), err=True)
