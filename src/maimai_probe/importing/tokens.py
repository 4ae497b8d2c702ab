"""Players and their import tokens: valid names, tokens issued once and kept only as hashes."""

import hashlib
import hmac
import secrets
import unicodedata
from typing import Any, Optional, Tuple

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..models import Player

NAME_MAX_LENGTH = 32

# Compared against when a player has no token, so a check takes as long either way.
_NO_HASH = hashlib.sha256(b"no token issued").hexdigest()


class InvalidName(ValueError):
    """A player name we cannot use, with the reason in Chinese."""


class PlayerExists(ValueError):
    """A player of that name exists already."""


def issue_token() -> Tuple[str, str]:
    """Return a new import token and the hash to store in its place."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    """Return the sha256 hex digest the database keeps for a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def verify(player: Any, presented: Optional[str]) -> bool:
    """Tell in constant time whether a presented token is the player's."""
    stored = getattr(player, "token_hash", None)
    candidate = hash_token(presented or "")
    matched = hmac.compare_digest((stored or _NO_HASH).encode(), candidate.encode())
    return bool(matched and stored and presented)


def matches_hash(player: Any, remembered: Optional[str]) -> bool:
    """Tell in constant time whether a remembered token hash is still the player's."""
    stored = getattr(player, "token_hash", None)
    matched = hmac.compare_digest((stored or _NO_HASH).encode(), (remembered or "").encode())
    return bool(matched and stored)


def validate_name(name: str) -> str:
    """Return the name if a player may have it, else raise InvalidName saying why."""
    if not name:
        raise InvalidName("名字不能为空。")
    if len(name) > NAME_MAX_LENGTH:
        raise InvalidName("名字最长 %d 个字符（现在 %d 个）。" % (NAME_MAX_LENGTH, len(name)))
    if name != name.strip():
        raise InvalidName("名字的开头和结尾不能是空格。")
    if "/" in name or "\\" in name:
        raise InvalidName("名字里不能有斜杠（/ 或 \\）。")
    if name in (".", ".."):
        raise InvalidName("名字不能是 . 或 ..。")
    for character in name:
        if unicodedata.category(character) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
            raise InvalidName("名字里不能有控制字符或不可见字符（U+%04X）。" % ord(character))
    return name


def find_player(session: Session, name: str) -> Optional[Player]:
    """Return the player of that name, or None."""
    return session.execute(select(Player).where(Player.name == name)).scalar_one_or_none()


def create_player(session: Session, name: str, now: int) -> Tuple[Player, str]:
    """Add a player with a fresh import token and commit; return the player and the token."""
    validate_name(name)
    if find_player(session, name) is not None:
        raise PlayerExists("玩家「%s」已经存在。" % name)
    token, token_hash = issue_token()
    player = Player(name=name, token_hash=token_hash, created_at=now)
    session.add(player)
    try:
        session.commit()
    except IntegrityError:  # created by someone else since the check above
        session.rollback()
        raise PlayerExists("玩家「%s」已经存在。" % name) from None
    return player, token


def renew_token(session: Session, player: Player) -> str:
    """Give a player a new import token, revoking the old one, and commit; return the token."""
    token, player.token_hash = issue_token()
    session.commit()
    return token
