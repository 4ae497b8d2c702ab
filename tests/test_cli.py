"""The operator's commands: players and tokens, importing files, exporting archives."""

import json
import re

import pytest
from sqlalchemy import select

from import_helpers import own_record_page, real_record_page, row_counts
from maimai_probe.importing import tokens
from maimai_probe.models import Play, Player


def create(runner, name="舞萌玩家"):
    result = runner.invoke(args=["players", "create", name])
    assert result.exit_code == 0, result.output
    return re.search(r"导入令牌（只显示这一次，请保密）：\n(\S+)\n", result.output)


def json_line(output):
    """Return the line of JSON among what a command printed on its two streams."""
    return next(line for line in output.splitlines() if line.startswith("{"))


def test_players_create_prints_the_token_once_and_stores_its_hash(runner, session):
    token = create(runner).group(1)
    player = session.scalars(select(Player)).one()
    assert player.name == "舞萌玩家"
    assert player.token_hash == tokens.hash_token(token)
    assert token not in player.token_hash


@pytest.mark.parametrize(
    "name, message",
    [("a/b", "斜杠"), ("x" * 33, "最长 32"), ("tab\there", "控制字符"), ("", "不能为空")],
)
def test_players_create_refuses_bad_names(runner, session, name, message):
    result = runner.invoke(args=["players", "create", name])
    assert result.exit_code == 2
    assert "Invalid value for" in result.output and "NAME" in result.output
    assert message in result.output
    assert row_counts(session)["player"] == 0


def test_players_create_refuses_a_taken_name(runner):
    create(runner)
    result = runner.invoke(args=["players", "create", "舞萌玩家"])
    assert result.exit_code == 1
    assert "已经存在" in result.output


def test_players_token_revokes_the_old_token(runner, session):
    old = create(runner).group(1)
    result = runner.invoke(args=["players", "token", "舞萌玩家"])
    assert result.exit_code == 0
    new = result.output.strip().splitlines()[-1]
    player = tokens.find_player(session, "舞萌玩家")
    assert tokens.verify(player, new) and not tokens.verify(player, old)
    missing = runner.invoke(args=["players", "token", "nobody"])
    assert missing.exit_code == 1
    assert "没有名为「nobody」的玩家" in missing.output


def test_players_list(runner):
    assert "还没有玩家" in runner.invoke(args=["players", "list"]).output
    create(runner, "b")
    create(runner, "a")
    assert runner.invoke(args=["players", "list"]).output == (
        "a\t0 次游玩\t有导入令牌\nb\t0 次游玩\t有导入令牌\n"
    )


def test_import_stores_files_and_says_what_was_new(runner, session, tmp_path):
    create(runner)
    page = tmp_path / "record.html"
    page.write_bytes(real_record_page())
    first = runner.invoke(args=["import", str(page), "--player", "舞萌玩家"])
    assert first.exit_code == 0, first.output
    assert "写入 舞萌玩家 的存档" in first.output
    assert "record.html（最近游玩记录）：新增 50 次游玩；已有 0" in first.output
    assert first.output.endswith("合计：新增 50 次游玩；已有 0；拒绝 0 个文件\n")
    again = runner.invoke(args=["import", str(page), "--player", "舞萌玩家"])
    assert again.output.endswith("合计：新增 0；已有 50 次游玩；拒绝 0 个文件\n")
    assert row_counts(session)["play"] == 50


def test_import_exits_1_when_a_file_is_rejected(runner, session, tmp_path):
    create(runner)
    good, bad = tmp_path / "good.html", tmp_path / "bad.html"
    good.write_bytes(own_record_page())
    bad.write_bytes(b"\x00\x01")
    result = runner.invoke(args=["import", str(good), str(bad), "--player", "舞萌玩家"])
    assert result.exit_code == 1
    assert "拒绝 bad.html：这不是文本文件" in result.output
    assert result.output.endswith("合计：新增 4 次游玩；已有 0；拒绝 1 个文件\n")
    assert row_counts(session)["play"] == 4


def test_import_needs_a_known_player_and_existing_files(runner, session, tmp_path):
    page = tmp_path / "record.html"
    page.write_bytes(own_record_page())
    unknown = runner.invoke(args=["import", str(page), "--player", "nobody"])
    assert unknown.exit_code == 1
    assert "没有名为「nobody」的玩家" in unknown.output
    create(runner)
    missing = runner.invoke(args=["import", str(tmp_path / "gone.html"), "--player", "舞萌玩家"])
    assert missing.exit_code == 2
    assert "does not exist" in missing.output
    assert row_counts(session)["play"] == 0


def test_export_writes_the_archive_to_a_file(runner, session, tmp_path):
    create(runner)
    page = tmp_path / "record.html"
    page.write_bytes(own_record_page())
    runner.invoke(args=["import", str(page), "--player", "舞萌玩家"])
    out = tmp_path / "archive.json"
    result = runner.invoke(args=["export", "--player", "舞萌玩家", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output == "已导出 舞萌玩家 的存档到 %s：4 次游玩，%d 字节\n" % (
        out,
        len(out.read_bytes()) - 1,
    )
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["player"]["name"] == "舞萌玩家"
    assert len(document["plays"]) == 4
    stored = session.scalars(select(Play.played_at).order_by(Play.played_at)).all()
    assert [p["played_at"] for p in document["plays"]] == stored


def test_export_to_standard_output(runner):
    create(runner)
    result = runner.invoke(args=["export", "--player", "舞萌玩家"])
    assert result.exit_code == 0
    assert json.loads(json_line(result.output))["plays"] == []
    assert "已导出 舞萌玩家 的存档到 标准输出：空存档，" in result.output


def test_export_in_the_divingfish_format(runner, tmp_path):
    create(runner)
    page = tmp_path / "record.html"
    page.write_bytes(own_record_page())
    runner.invoke(args=["import", str(page), "--player", "舞萌玩家"])
    result = runner.invoke(args=["export", "--player", "舞萌玩家", "--format", "divingfish"])
    assert result.exit_code == 0, result.output
    document = json.loads(json_line(result.output))
    assert "水鱼查分器成绩到 标准输出：3 条成绩" in result.output
    assert document["username"] == "舞萌玩家"
    assert len(document["records"]) == 3  # one best per chart; Diving-Fish keeps no UTAGE
    record = next(r for r in document["records"] if r["achievements"] == 101.0)
    assert record["title"] == "チルノのパーフェクトさんすう教室　⑨周年バージョン"
    assert (record["type"], record["level_index"], record["rate"]) == ("DX", 3, "sssp")
