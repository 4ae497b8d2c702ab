"""Jackets are fetched once from a configured source, kept in the database and served by us."""

import hashlib
import re

import pytest
from sqlalchemy import func, select

from factories import BASE_TIME, add_play, add_player
from image_server import Answer, image_server, png, png_header
from maimai_probe import game
from maimai_probe.jackets import images
from maimai_probe.jackets.store import Target, keep
from maimai_probe.models import Chart, Jacket, Song

JACKET = "0847c38d2a623e99"
HOSTILE = [
    "../../maimai-mobile/home",
    'x" onerror="alert(1)',
    "x?y=1",
    "x#top",
    "two words",
    "a/b",
    "ジャケット",
    "x\n",
]
IMAGE = re.compile(r'<img class="jacket" src="([^"]*)"')
PICTURE = png(8, 8)
DIGEST = hashlib.sha256(PICTURE).hexdigest()


@pytest.fixture
def server():
    """Serve small images on a local port."""
    with image_server() as state:
        yield state


def official_from(app, server) -> None:
    """Point the official-image source at the local server."""
    app.config["JACKET_OFFICIAL_URL"] = server.base + "/{service}/Music/{name}.png"


def fetch(runner, *args):
    """Run the jackets command and return its result."""
    return runner.invoke(args=["jackets", "fetch"] + list(args))


def kept_jackets(session):
    """Return (name, song_id, digest, media_type, width) of every kept jacket."""
    session.expire_all()
    return session.execute(
        select(
            Jacket.name, Jacket.song_id, Jacket.digest, Jacket.media_type, Jacket.width
        ).order_by(Jacket.name)
    ).all()


def add_song(session, catalog_id, title="Re:Unknown X", kind=game.DX):
    """Add a song with a MASTER chart, and return (song, chart)."""
    song = Song(title=title, kind=kind, catalog_id=catalog_id)
    session.add(song)
    session.flush()
    chart = Chart(song_id=song.id, difficulty=game.MASTER, level="14", constant_tenths=146)
    session.add(chart)
    session.commit()
    return song, chart


def test_a_named_jacket_is_fetched_once_kept_and_served_from_the_site(
    app, client, runner, session, server
):
    alice = add_player(session)
    add_play(session, alice, played_at=BASE_TIME, jacket=JACKET)
    add_play(session, alice, played_at=BASE_TIME + 60, jacket=JACKET)  # same image: one fetch
    add_play(session, alice, played_at=BASE_TIME + 120)  # no jacket: a placeholder
    official_from(app, server)
    server.answers["/cn/Music/%s.png" % JACKET] = Answer(body=PICTURE)

    result = fetch(runner)
    assert result.exit_code == 0, result.output
    assert "保存了 1 张封面，0 张失败。" in result.output
    assert server.asked == ["/cn/Music/%s.png" % JACKET]
    assert kept_jackets(session) == [(JACKET, None, DIGEST, "image/png", 8)]

    page = client.get("/players/alice/plays").get_data(as_text=True)
    assert IMAGE.findall(page) == ["/jackets/%s" % DIGEST] * 2
    assert page.count('class="jacket jacket-none diff-master" aria-hidden="true">R</span>') == 1
    assert "maimai.wahlap.com" not in page

    served = client.get("/jackets/%s" % DIGEST)
    assert served.status_code == 200 and served.data == PICTURE
    assert served.headers["Content-Type"] == "image/png"
    assert served.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert served.headers["ETag"] == '"%s"' % DIGEST
    again = client.get("/jackets/%s" % DIGEST, headers={"If-None-Match": '"%s"' % DIGEST})
    assert again.status_code == 304 and again.data == b""

    second = fetch(runner)
    assert second.exit_code == 0 and "所有封面都已保存" in second.output
    assert server.asked == ["/cn/Music/%s.png" % JACKET]  # never fetched twice


def test_each_service_names_its_own_site_in_the_source(app, runner, session, server):
    alice = add_player(session)
    add_play(session, alice, played_at=BASE_TIME, jacket=JACKET)
    add_play(session, alice, played_at=BASE_TIME + 60, jacket="a1b2c3d4e5f60718", service="intl")
    app.config["JACKET_OFFICIAL_URL"] = server.base + "/{service}/{name}?site={site}"
    fetch(runner)
    assert sorted(server.asked) == [
        "/cn/%s?site=%s" % (JACKET, game.JACKET_SITES["cn"]),
        "/intl/a1b2c3d4e5f60718?site=%s" % game.JACKET_SITES["intl"],
    ]


def test_catalog_covers_come_by_song_id_and_show_on_every_chart_of_the_song(
    app, client, runner, session, server
):
    song, chart = add_song(session, "383")
    add_song(session, "10383", "Link")  # the source has no cover for it
    alice = add_player(session)
    add_play(session, alice, chart_id=chart.id)
    app.config["JACKET_SOURCE_URL"] = server.base + "/covers/{id:05d}.png"
    server.answers["/covers/00383.png"] = Answer(body=PICTURE)
    assert IMAGE.findall(client.get("/songs").get_data(as_text=True)) == []  # kept, by version

    result = fetch(runner, "--no-official")
    assert result.exit_code == 0, result.output
    assert "保存了 1 张封面，1 张失败。" in result.output
    assert "song-10383：来源回答 HTTP 404" in result.output
    assert kept_jackets(session) == [("song-383", song.id, DIGEST, "image/png", 8)]
    page = client.get("/players/alice/plays").get_data(as_text=True)
    assert IMAGE.findall(page) == ["/jackets/%s" % DIGEST]
    songs = client.get("/songs").get_data(as_text=True)  # the kept catalog page is stale now
    assert IMAGE.findall(songs) == ["/jackets/%s" % DIGEST]
    assert '<span class="jacket jacket-none diff-master" aria-hidden="true">L</span>' in songs


def test_a_kept_page_shows_the_jackets_fetched_after_it(app, client, runner, session, server):
    alice = add_player(session)
    add_play(session, alice, jacket=JACKET)
    assert IMAGE.findall(client.get("/players/alice/plays").get_data(as_text=True)) == []
    official_from(app, server)
    server.answers["/cn/Music/%s.png" % JACKET] = Answer(body=PICTURE)
    assert fetch(runner).exit_code == 0
    page = client.get("/players/alice/plays").get_data(as_text=True)
    assert IMAGE.findall(page) == ["/jackets/%s" % DIGEST]


def jpeg(width: int, height: int) -> bytes:
    """Return the start of a JPEG: SOI, an APP0 segment, then a baseline frame header."""
    app0 = b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    frame = b"\xff\xc0\x00\x11\x08" + height.to_bytes(2, "big") + width.to_bytes(2, "big")
    return b"\xff\xd8" + app0 + frame + b"\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01" + b"\xff\xd9"


def webp_lossless(width: int, height: int) -> bytes:
    """Return the start of a lossless WebP of a size."""
    bits = (width - 1) | (height - 1) << 14
    body = b"VP8L" + (5).to_bytes(4, "little") + b"\x2f" + bits.to_bytes(4, "little")
    return b"RIFF" + (len(body) + 4).to_bytes(4, "little") + b"WEBP" + body


@pytest.mark.parametrize(
    "data, expected",
    [
        (png(200, 190), ("image/png", 200, 190)),
        (jpeg(190, 200), ("image/jpeg", 190, 200)),
        (webp_lossless(200, 200), ("image/webp", 200, 200)),
    ],
)
def test_an_image_is_told_by_its_own_bytes(data, expected):
    assert tuple(images.inspect(data)) == expected


SLOW = 3.0  # seconds the slow answer waits; the command waits 0.5

BAD_ANSWERS = [
    ("not an image", Answer(body=b"<html>login</html>", content_type="image/png"), "不是 PNG"),
    ("a huge picture", Answer(body=png_header(20000, 20000)), "图片尺寸 20000×20000 不合适"),
    ("too many bytes", Answer(body=PICTURE + b"\0" * images.MAX_BYTES), "图片太大"),
    ("a giant JPEG", Answer(body=jpeg(4000, 3000)), "图片尺寸 4000×3000 不合适"),
    ("a redirect", Answer(302, b"", location="http://127.0.0.1:9/x.png"), "重定向"),
    ("missing", Answer(404, b"no", "text/html"), "HTTP 404"),
    ("a server error", Answer(500, b"oops", "text/html"), "HTTP 500"),
    ("too slow", Answer(body=PICTURE, delay=SLOW), "超过 0.5 秒"),
    ("trickling in", Answer(body=PICTURE, trickle=0.1), "超过 0.5 秒"),  # each byte in time
    ("an empty answer", Answer(body=b""), "不是 PNG"),
]


@pytest.mark.parametrize(
    "answer, reason", [case[1:] for case in BAD_ANSWERS], ids=[case[0] for case in BAD_ANSWERS]
)
def test_a_bad_answer_is_refused_and_nothing_is_kept(
    app, client, runner, session, server, answer, reason
):
    alice = add_player(session)
    add_play(session, alice, jacket=JACKET)
    official_from(app, server)
    server.answers["/cn/Music/%s.png" % JACKET] = answer
    result = fetch(runner, "--timeout", "0.5")
    assert result.exit_code == 0, result.output
    assert "保存了 0 张封面，1 张失败。" in result.output
    assert "%s：" % JACKET in result.output and reason in result.output
    assert kept_jackets(session) == []
    page = client.get("/players/alice/plays").get_data(as_text=True)
    assert IMAGE.findall(page) == [] and "jacket-none" in page


def test_a_hostile_jacket_name_is_never_asked_for_nor_put_in_a_page(
    app, client, runner, session, server
):
    alice = add_player(session)
    for number, name in enumerate(HOSTILE):
        add_play(session, alice, played_at=BASE_TIME + number * 60, jacket=name)
    official_from(app, server)
    result = fetch(runner)
    assert result.exit_code == 0 and "所有封面都已保存" in result.output
    assert server.asked == [] and kept_jackets(session) == []
    page = client.get("/players/alice/plays").get_data(as_text=True)
    assert IMAGE.findall(page) == []
    assert "onerror" not in page and "maimai-mobile/home" not in page
    answer = client.get("/api/players/alice/plays?size=%d" % len(HOSTILE)).get_json()
    assert sorted(play["jacket"] for play in answer["plays"]) == sorted(HOSTILE)


@pytest.mark.parametrize(
    "template, message",
    [
        ("{site}/{nothing}.png", "封面来源地址模板无效"),
        ("file:///etc/{name}", "只能从 http 或 https 地址获取"),
    ],
)
def test_a_bad_source_template_gives_a_clear_error(app, runner, session, template, message):
    alice = add_player(session)
    add_play(session, alice, jacket=JACKET)
    app.config["JACKET_OFFICIAL_URL"] = template
    result = fetch(runner)
    assert message in result.output
    assert kept_jackets(session) == []


def test_catalog_covers_need_a_configured_source(runner):
    result = fetch(runner, "--no-official")
    assert result.exit_code == 1 and "没有设置 JACKET_SOURCE_URL" in result.output


@pytest.mark.parametrize(
    "path",
    [
        "/jackets/" + "0" * 64,  # nothing kept under it
        "/jackets/" + DIGEST.upper(),
        "/jackets/..%2F..%2Fetc%2Fpasswd",
        "/jackets/%s.png" % DIGEST,
        "/jackets/x",
    ],
)
def test_an_unknown_jacket_url_is_a_404(client, session, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "没有这张封面" in response.get_data(as_text=True) or path.count("%2F")


def test_pages_take_images_from_the_site_only(client):
    policy = client.get("/").headers["Content-Security-Policy"]
    (images_rule,) = [part for part in policy.split("; ") if part.startswith("img-src ")]
    assert images_rule == "img-src 'self'"


def test_many_jackets_are_fetched_a_few_at_a_time(app, runner, session, server):
    alice = add_player(session)
    names = ["%016x" % number for number in range(12)]
    for number, name in enumerate(names):
        add_play(session, alice, played_at=BASE_TIME + number * 60, jacket=name)
        server.answers["/cn/Music/%s.png" % name] = Answer(body=png(4, 4, (number, 9, 9)))
    official_from(app, server)
    result = fetch(runner, "--workers", "3")
    assert result.exit_code == 0 and "保存了 12 张封面，0 张失败。" in result.output
    assert sorted(server.asked) == sorted("/cn/Music/%s.png" % name for name in names)
    assert session.scalar(select(func.count(Jacket.id))) == 12


def test_the_charts_a_title_may_be_show_their_jackets(client, session):
    first, _ = add_song(session, "131", "Link")
    add_song(session, "383", "Link")
    alice = add_player(session)
    add_play(session, alice, title="Link")  # both songs show as "Link": left to the player
    keep(session, Target("song-131", first.id, "http://127.0.0.1:9/131.png"), PICTURE, 0)
    session.commit()
    page = client.get("/players/alice/unmatched").get_data(as_text=True)
    assert IMAGE.findall(page) == ["/jackets/%s" % DIGEST]
    assert (
        page.count('<span class="jacket jacket-none diff-master" aria-hidden="true">L</span>') == 1
    )
