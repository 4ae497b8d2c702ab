"""The songs command: sync the catalog from Diving-Fish, then link every player's plays."""

from typing import Optional

import click
from flask.cli import AppGroup

from .. import db
from . import aliases, linking, sync

songs_commands = AppGroup("songs", help="Keep the song catalog in step with Diving-Fish.")


@songs_commands.command("sync")
@click.option(
    "--file",
    "path",
    type=click.Path(dir_okay=False),
    help="A music_data JSON file saved from Diving-Fish.",
)
@click.option("--url", help="Where to download music_data (default: the Diving-Fish API).")
@click.option("--timeout", default=20.0, show_default=True, help="Seconds to wait for the URL.")
def sync_command(path: Optional[str], url: Optional[str], timeout: float) -> None:
    """Add and update songs and charts, then link plays and scores of every player."""
    if path and url:
        raise click.UsageError("--file 和 --url 只能给一个")
    try:
        source = path or url or sync.DEFAULT_URL
        click.echo("读取曲目：%s" % source)
        data = sync.load_file(path) if path else sync.fetch(source, timeout=timeout)
        songs = sync.read_catalog(data)
    except sync.CatalogError as error:
        raise click.ClickException(str(error)) from None
    click.echo("读到 %d 首曲目，写入曲库……" % len(songs))
    with db.database().session() as session:
        result = sync.sync_catalog(session, songs)
        click.echo(
            "曲库：%d 首曲目、%d 张谱面；新增 %d，更新 %d。关联玩家的成绩……"
            % (result.songs, result.charts, result.added, result.updated)
        )
        linked = linking.link_all(session)
        session.commit()
    click.echo("完成：关联了 %d 次游玩、%d 条成绩" % (linked.plays, linked.scores))


@songs_commands.command("aliases")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def aliases_command(path: str) -> None:
    """Replace the songs' aliases (别名) with those of a file, searched with the titles.

    One song per line: its catalog id or exact title, then its aliases, tab-separated;
    lines starting with # are skipped. See docs/search.md.
    """
    try:
        with open(path, encoding="utf-8-sig") as stream:
            lines = aliases.read_alias_file(stream.read())
    except UnicodeDecodeError:
        raise click.ClickException("%s 不是 UTF-8 文本" % path) from None
    except aliases.AliasFileError as error:
        raise click.ClickException(str(error)) from None
    click.echo("读到 %d 首曲目的别名，写入……" % len(lines))
    with db.database().session() as session:
        result = aliases.store_aliases(session, lines)
        session.commit()
    click.echo("完成：%d 首曲目，共 %d 个别名" % (result.songs, result.aliases))
    if result.unknown:
        shown = "、".join(result.unknown[:10]) + ("……" if len(result.unknown) > 10 else "")
        click.echo("跳过曲库里没有的 %d 首：%s" % (len(result.unknown), shown))
