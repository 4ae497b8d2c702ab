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

players_commands = AppGroup("players", help="Create players and manage their import tokens.")


def existing_player(session: Session, name: str) -> Player:
    """Return the named player or stop with a clear error."""
    player = tokens.find_player(session, name)
    if player is None:
        raise click.ClickException(
            "no player named %r (flask --app maimai_probe players list)" % name
        )
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
        click.echo("created player %s" % player.name)
        click.echo("import token (shown only now, keep it secret): %s" % token)


@players_commands.command("token")
@click.argument("name")
def token_command(name: str) -> None:
    """Give player NAME a new import token; the old one stops working."""
    with db.database().session() as session:
        player = existing_player(session, name)
        token = tokens.renew_token(session, player)
        click.echo("new import token for %s (the old one no longer works): %s" % (name, token))


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
        click.echo("no players yet: flask --app maimai_probe players create NAME")
    for name, token_hash, plays in rows:
        click.echo("%s\t%d plays\t%s" % (name, plays, "token set" if token_hash else "no token"))


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
        with click.progressbar(files, label="reading", item_show_func=file_label) as bar:
            for path in bar:
                with open(path, "rb") as file:
                    uploads.append(store.read_upload(os.path.basename(path), file.read()))
        result = store.import_uploads(session, player, uploads, int(time.time()))
    for file in result.files:
        if file.accepted:
            click.echo("%s (%s): %s" % (file.name, file.page, counts_line(file.new, file.known)))
        else:
            click.echo("rejected %s: %s" % (file.name, file.error), err=True)
        for warning in file.warnings:
            click.echo("  %s" % warning, err=True)
    new, known = result.new, result.known
    click.echo(
        "%d new, %d known, %d rejected"
        % (sum(new.values()), sum(known.values()), len(result.rejected))
    )
    if result.rejected:
        ctx.exit(1)


def counts_line(new: Any, known: Any) -> str:
    """Say the new and known counts of each kind that has any."""
    parts = [
        "%s %d new, %d known" % (kind, new[kind], known[kind])
        for kind in store.KINDS
        if new[kind] or known[kind]
    ]
    return "; ".join(parts) or "nothing to import"


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
    output.write(exporting.dumps(document))
    output.write("\n")


def init_app(app: Flask) -> None:
    """Add the players, import and export commands."""
    app.cli.add_command(players_commands)
    app.cli.add_command(import_command)
    app.cli.add_command(export_command)
