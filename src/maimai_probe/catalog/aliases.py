"""Aliases (别名) players call songs by, read from the operator's file and kept in song_alias.

The file is UTF-8 text, one song per line: the song's catalog id (Diving-Fish's, as in
music_data: 834, 10834) or its exact title, then its aliases, each after a tab:

    # comment lines and blank lines are skipped
    834<TAB>未知<TAB>reunknown
    True Love Song<TAB>真爱之歌

Loading a file replaces every alias kept before: the file is the whole list.
"""

from typing import Dict, List, NamedTuple, Sequence, Tuple

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..models import Song, SongAlias, bump_revision

#: The longest alias kept; longer ones are refused as a mistake in the file.
MAX_ALIAS = 100


class AliasFileError(ValueError):
    """A line of an alias file that cannot be read; the message names the line."""


class AliasLine(NamedTuple):
    """One song's line of the file: its catalog id or title, and its aliases."""

    number: int  # the line's number in the file, from 1
    song: str
    aliases: Tuple[str, ...]


class AliasResult(NamedTuple):
    """What loading a file did."""

    songs: int  # titles that got aliases
    aliases: int
    unknown: List[str]  # ids or titles no song of the catalog has


def read_alias_file(text: str) -> List[AliasLine]:
    """Read the lines of an alias file; raise AliasFileError naming the first bad line."""
    lines = []  # type: List[AliasLine]
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip("\r\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if "\x00" in line:
            raise AliasFileError("第 %d 行：有 NUL 字符" % number)
        fields = [field.strip() for field in line.split("\t")]
        song, aliases = fields[0], tuple(alias for alias in fields[1:] if alias)
        if not song or not aliases:
            raise AliasFileError(
                "第 %d 行：应为「曲目 id 或曲名<Tab>别名[<Tab>别名…]」：%s" % (number, line[:60])
            )
        for alias in aliases:
            if len(alias) > MAX_ALIAS:
                raise AliasFileError("第 %d 行：别名超过 %d 个字" % (number, MAX_ALIAS))
        lines.append(AliasLine(number, song, aliases))
    return lines


def song_titles(session: Session) -> Tuple[Dict[str, str], set]:
    """Return the catalog's titles by catalog id, and the set of its titles."""
    rows = session.execute(select(Song.catalog_id, Song.title)).all()
    return {catalog_id: title for catalog_id, title in rows if catalog_id}, {r[1] for r in rows}


def store_aliases(session: Session, lines: Sequence[AliasLine]) -> AliasResult:
    """Replace every kept alias with the file's; skip (and report) songs not in the catalog."""
    by_id, titles = song_titles(session)
    wanted = {}  # type: Dict[Tuple[str, str], None]
    unknown = []  # type: List[str]
    for line in lines:
        title = by_id.get(line.song) or (line.song if line.song in titles else None)
        if title is None:
            unknown.append(line.song)
            continue
        for alias in line.aliases:
            if alias != title:
                wanted[(title, alias)] = None
    session.execute(delete(SongAlias))
    session.add_all(SongAlias(title=title, alias=alias) for title, alias in wanted)
    bump_revision(session)  # pages that search titles show other results now
    return AliasResult(len({title for title, _ in wanted}), len(wanted), unknown)
