"""Commands for the operator: players and their tokens, importing files, exporting archives."""

import os
import time
from typing import Any, Optional, Tuple

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import db
from ..models import Play, Player
from . import exporting, store, tokens
from .wording import PAGE_LABELS, counts_text

players_commands = AppGroup("players", help="Create players and manage their import tokens.")


def existing_player(session: Session, name: str) -> Player:
    """Return the named player or stop with a clear error."""
    player = tokens.find_player(session, name)
    if player is None:
        raise click.ClickException("没有名为「%s」的玩家（players list 列出所有玩家）" % name)
    return player


@players_commands.command("create")
@click.argument("name")
def create_command(name: str) -> None:
    """Create player NAME and print their import token, shown only this once."""
    with db.database().session() as session:
        try:
            player, token = tokens.create_player(session, name, int(time.time()))
        except tokens.InvalidName as error:
            raise click.BadParameter(str(error), param_hint="NAME") from None
        except tokens.PlayerExists as error:
            raise click.ClickException(str(error)) from None
        click.echo("已创建玩家 %s" % player.name)
        click.echo("导入令牌（只显示这一次，请保密）：")
        click.echo(token)


@players_commands.command("token")
@click.argument("name")
def token_command(name: str) -> None:
    """Give player NAME a new import token; the old one stops working."""
    with db.database().session() as session:
        player = existing_player(session, name)
        token = tokens.renew_token(session, player)
        click.echo("%s 的新导入令牌（旧令牌已失效）：" % name)
        click.echo(token)


@players_commands.command("list")
def list_command() -> None:
    """List the players with their play counts."""
    with db.database().session() as session:
        rows = session.execute(
            select(Player.name, Player.token_hash, func.count(Play.id))
            .outerjoin(Play, Play.player_id == Player.id)
            .group_by(Player.id, Player.name, Player.token_hash)
            .order_by(Player.name)
        ).all()
    if not rows:
        click.echo("还没有玩家：用 players create 名字 创建一个")
    for name, token_hash, plays in rows:
        click.echo("%s\t%d 次游玩\t%s" % (name, plays, "有导入令牌" if token_hash else "没有令牌"))


def file_label(path: Optional[str]) -> str:
    """Name the file the progress bar is on."""
    return os.path.basename(path) if path else ""


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--player", "player_name", required=True, help="The player whose pages these are.")
@click.pass_context
@with_appcontext
def import_command(ctx: click.Context, files: Tuple[str, ...], player_name: str) -> None:
    """Import saved official pages and Diving-Fish JSON files for a player."""
    with db.database().session() as session:
        player = existing_player(session, player_name)
        uploads = []
        with click.progressbar(files, label="读取文件", item_show_func=file_label) as bar:
            for path in bar:
                with open(path, "rb") as file:
                    uploads.append(store.read_upload(os.path.basename(path), file.read()))
        click.echo("读取了 %d 个文件，写入 %s 的存档……" % (len(uploads), player.name))
        result = store.import_uploads(session, player, uploads, int(time.time()))
    for file in result.files:
        if file.accepted:
            label = PAGE_LABELS.get(file.page, file.page)
            click.echo("%s（%s）：%s" % (file.name, label, counts_line(file.new, file.known)))
        else:
            click.echo("拒绝 %s：%s" % (file.name, file.error), err=True)
        for warning in file.warnings:
            click.echo("  %s" % warning, err=True)
    click.echo(
        "合计：新增 %s；已有 %s；拒绝 %d 个文件"
        % (counts_text(result.new), counts_text(result.known), len(result.rejected))
    )
    if result.rejected:
        ctx.exit(1)


def counts_line(new: Any, known: Any) -> str:
    """Say what one file added and what the archive already had."""
    if not any(new.values()) and not any(known.values()):
        return "没有可导入的内容"
    return "新增 %s；已有 %s" % (counts_text(new), counts_text(known))


@click.command("export")
@click.option("--player", "player_name", required=True, help="The player to export.")
@click.option(
    "--format",
    "wanted",
    type=click.Choice(["archive", "divingfish"]),
    default="archive",
    show_default=True,
    help="archive: every play, score and profile; divingfish: best score per chart.",
)
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-")
@with_appcontext
def export_command(player_name: str, wanted: str, output: Any) -> None:
    """Write a player's archive as JSON to a file or standard output."""
    with db.database().session() as session:
        player = existing_player(session, player_name)
        if wanted == "divingfish":
            document = exporting.divingfish(session, player)
        else:
            document = exporting.archive(session, player, int(time.time()))
    text = exporting.dumps(document)
    output.write(text)
    output.write("\n")
    where = "标准输出" if output.name in ("-", "<stdout>") else output.name
    # On standard error, so that the JSON on standard output stays whole.
    click.echo(
        "已导出 %s 的%s到 %s：%s，%d 字节"
        % (
            player_name,
            EXPORT_LABELS[wanted],
            where,
            exported_counts(document),
            len(text.encode()),
        ),
        err=True,
    )


EXPORT_LABELS = {"archive": "存档", "divingfish": "水鱼查分器成绩"}


def exported_counts(document: Any) -> str:
    """Count what an export holds: plays, scores and profiles, or Diving-Fish records."""
    if isinstance(document, dict) and "records" in document and "plays" not in document:
        return "%d 条成绩" % len(document["records"])
    counts = {
        "plays": len(document.get("plays", [])),
        "scores": len(document.get("scores", [])),
        "snapshots": len(document.get("snapshots", [])),
        "aliases": len(document.get("aliases", [])),
    }
    return counts_text(counts) if any(counts.values()) else "空存档"


def init_app(app: Flask) -> None:
    """Add the players, import and export commands."""
    app.cli.add_command(players_commands)
    app.cli.add_command(import_command)
    app.cli.add_command(export_command)
