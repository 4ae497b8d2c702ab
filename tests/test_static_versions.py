"""Static files: content-versioned URLs in pages, a year of caching for the current version."""

import hashlib
import re

from conftest import settings
from maimai_probe import create_app


def make_app(tmp_path, folder):
    """Return an app serving the static files of folder."""
    return create_app(
        settings("sqlite:///%s" % (tmp_path / "t.sqlite3"), STATIC_FOLDER=str(folder))
    )


def cache_control(client, url):
    """Fetch a static file and return its Cache-Control, closing the file."""
    answer = client.get(url)
    try:
        assert answer.status_code == 200, url
        return answer.headers.get("Cache-Control", "")
    finally:
        answer.close()


def test_pages_link_static_files_by_their_content_hash(sqlite_app):
    page = sqlite_app.test_client().get("/").get_data(as_text=True)
    link = re.search(r'href="(/css/site\.css\?v=([0-9a-f]{12}))"', page)
    assert link, page[:500]
    with open("%s/css/site.css" % sqlite_app.static_folder, "rb") as stream:
        assert link.group(2) == hashlib.sha256(stream.read()).hexdigest()[:12]


def test_the_current_version_is_immutable_for_a_year(sqlite_app):
    client = sqlite_app.test_client()
    with sqlite_app.test_request_context():
        from flask import url_for

        url = url_for("static", filename="css/site.css")
    assert cache_control(client, url) == "public, max-age=31536000, immutable"


def test_an_unversioned_or_stale_url_is_revalidated(sqlite_app):
    client = sqlite_app.test_client()
    for url in ("/css/site.css", "/css/site.css?v=000000000000", "/robots.txt"):
        assert "immutable" not in cache_control(client, url), url


def test_a_changed_file_gets_a_new_url(tmp_path):
    folder = tmp_path / "static"
    (folder / "css").mkdir(parents=True)
    css = folder / "css" / "site.css"
    css.write_text("body { color: red; }")
    app = make_app(tmp_path, folder)
    with app.test_request_context():
        from flask import url_for

        first = url_for("static", filename="css/site.css")
        css.write_text("body { color: blue; background: white; }")
        second = url_for("static", filename="css/site.css")
        missing = url_for("static", filename="css/none.css")
    assert first != second
    assert missing == "/css/none.css"
    client = app.test_client()
    assert cache_control(client, second) == "public, max-age=31536000, immutable"
    assert "immutable" not in cache_control(client, first)
