"""Import tokens are shown once, stored as hashes and checked in constant time."""

import hashlib
import hmac
import types

import pytest

from maimai_probe.importing import tokens
from maimai_probe.models import Player


def test_issued_token_is_random_and_only_its_hash_is_kept():
    first, first_hash = tokens.issue_token()
    second, _ = tokens.issue_token()
    assert first != second
    assert len(first) >= 43  # 32 random bytes, URL-safe base64
    assert first_hash == hashlib.sha256(first.encode()).hexdigest()
    assert first not in first_hash


def test_verify_accepts_only_the_players_token():
    token, token_hash = tokens.issue_token()
    player = types.SimpleNamespace(token_hash=token_hash)
    assert tokens.verify(player, token)
    assert not tokens.verify(player, token + "x")
    assert not tokens.verify(player, "")
    assert not tokens.verify(player, None)


@pytest.mark.parametrize("presented", ["", None, "anything"])
def test_a_player_without_a_token_accepts_nothing(presented):
    assert not tokens.verify(types.SimpleNamespace(token_hash=None), presented)
    assert not tokens.matches_hash(types.SimpleNamespace(token_hash=None), presented)


def test_verify_compares_in_constant_time_even_without_a_stored_hash(monkeypatch):
    calls = []
    compare = hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return compare(a, b)

    monkeypatch.setattr(tokens.hmac, "compare_digest", spy)
    tokens.verify(types.SimpleNamespace(token_hash=None), "guess")
    tokens.verify(types.SimpleNamespace(token_hash="0" * 64), "guess")
    assert len(calls) == 2
    assert all(len(a) == len(b) == 64 for a, b in calls)


@pytest.mark.parametrize("name", ["舞萌玩家", "a", "x" * 32, "Alice Bob", "ｍａｉ☆"])
def test_valid_names(name):
    assert tokens.validate_name(name) == name


@pytest.mark.parametrize(
    "name, reason",
    [
        ("", "不能为空"),
        ("x" * 33, "最长 32"),
        ("a/b", "斜杠"),
        ("a\\b", "斜杠"),
        ("..", "不能是"),
        (" alice", "空格"),
        ("alice\n", "空格"),
        ("al\x07ice", "控制字符"),
        ("al\u200bice", "U\\+200B"),
    ],
)
def test_invalid_names_say_why(name, reason):
    with pytest.raises(tokens.InvalidName, match=reason):
        tokens.validate_name(name)


def test_create_player_stores_only_the_hash_and_renewing_revokes(session):
    player, token = tokens.create_player(session, "舞萌玩家", now=1759467960)
    stored = session.get(Player, player.id)
    assert stored.token_hash == tokens.hash_token(token)
    assert stored.created_at == 1759467960
    renewed = tokens.renew_token(session, stored)
    assert tokens.verify(stored, renewed)
    assert not tokens.verify(stored, token)


def test_create_player_refuses_a_taken_name(session):
    tokens.create_player(session, "舞萌玩家", now=1)
    with pytest.raises(tokens.PlayerExists, match="已经存在"):
        tokens.create_player(session, "舞萌玩家", now=2)
