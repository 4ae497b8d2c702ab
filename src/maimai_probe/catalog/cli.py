"""The songs command: sync the catalog from Diving-Fish, then link every player's plays."""

from typing import Optional

import click
from flask.cli import AppGroup

from .. import db
from . import linking, sync

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
        raise click.UsageError("give --file or --url, not both")
    try:
        if path:
            data = sync.load_file(path)
        else:
            data = sync.fetch(url or sync.DEFAULT_URL, timeout=timeout)
        songs = sync.read_catalog(data)
    except sync.CatalogError as error:
        raise click.ClickException(str(error)) from None
    with db.database().session() as session:
        result = sync.sync_catalog(session, songs)
        linked = linking.link_all(session)
        session.commit()
    click.echo(
        "%d songs, %d charts: %d new, %d updated"
        % (result.songs, result.charts, result.added, result.updated)
    )
    click.echo("linked %d plays and %d scores" % (linked.plays, linked.scores))
