"""Templates compiled by the packaging are read instead of compiled, and only while they match."""

import os
import shutil
import sys

import pytest

from conftest import db_of, settings
from factories import add_player, add_plays
from maimai_probe import create_app, packaging
from maimai_probe.web import compiled_templates

PAGES = ("/players/alice/plays", "/players/alice/", "/players/nobody/plays")


@pytest.fixture(scope="module")
def packaged(tmp_path_factory):
    """The compiled templates of every template of the site, as the packaging writes them."""
    path = str(tmp_path_factory.mktemp("packaged") / "compiled")
    assert packaging.main([path]) == 0
    assert len(os.listdir(path)) == len(packaging.packaging_app().jinja_env.list_templates()) > 10
    return path


@pytest.fixture
def folder(packaged, tmp_path):
    """A copy of the packaged folder that a test may spoil."""
    return shutil.copytree(packaged, str(tmp_path / "compiled"))


@pytest.fixture
def apps(tmp_path, folder):
    """Two apps on one database with a player: one reading the folder, one compiling anew."""
    url = "sqlite:///%s" % (tmp_path / "compiled.sqlite3")
    shipped = create_app(settings(url, COMPILED_TEMPLATES=folder))
    plain = create_app(settings(url, COMPILED_TEMPLATES=""))
    with db_of(plain).session() as session:
        add_plays(session, add_player(session, "alice"), 3)
    yield shipped, plain
    for app in (shipped, plain):
        db_of(app).dispose()


def compiles(app):
    """Return the names of the templates the app compiles from now on."""
    names = []
    compile_source = app.jinja_env.compile

    def compile_and_note(source, name=None, filename=None, *args, **kwargs):
        names.append(name)
        return compile_source(source, name, filename, *args, **kwargs)

    app.jinja_env.compile = compile_and_note
    return names


def pages(app):
    client = app.test_client()
    return [(path, client.get(path)) for path in PAGES]


def test_an_app_renders_the_compiled_templates_without_compiling_any(apps):
    shipped, plain = apps
    compiled_by_shipped, compiled_by_plain = compiles(shipped), compiles(plain)
    for (path, answer), (_, expected) in zip(pages(shipped), pages(plain)):
        assert answer.status_code == expected.status_code, path
        assert answer.get_data() == expected.get_data(), path
    assert b"Song 0002" in dict(pages(shipped))["/players/alice/plays"].get_data()
    assert compiled_by_shipped == []
    assert "records/plays.html" in compiled_by_plain and "base.html" in compiled_by_plain


def stale_source(cache, environment, name, filename, path):
    bucket = cache.get_bucket(environment, name, filename, "STALE {{ 1 + 1 }}")
    bucket.code = environment.compile("STALE {{ 1 + 1 }}", name, filename)
    with open(path, "wb") as handle:
        bucket.write_bytecode(handle)


def another_python(cache, environment, name, filename, path):
    with open(path, "r+b") as handle:
        handle.write(b"j2 written by another Python")


def cut_short(cache, environment, name, filename, path):
    with open(path, "r+b") as handle:
        handle.truncate(40)


@pytest.mark.parametrize("spoil", [stale_source, another_python, cut_short])
def test_an_entry_that_does_not_match_is_compiled_anew(apps, folder, spoil):
    shipped, plain = apps
    environment = shipped.jinja_env
    name = "records/plays.html"
    source, filename, _ = environment.loader.get_source(environment, name)
    cache = compiled_templates.CompiledTemplates(folder)
    path = cache.path(cache.get_bucket(environment, name, filename, source))
    assert os.path.exists(path)
    spoil(cache, environment, name, filename, path)
    compiled = compiles(shipped)
    answer = shipped.test_client().get("/players/alice/plays")
    assert answer.status_code == 200
    assert answer.get_data() == plain.test_client().get("/players/alice/plays").get_data()
    assert b"STALE" not in answer.get_data()
    assert compiled == [name]


def test_nothing_is_written_at_run_time(apps, folder):
    shipped, _ = apps
    for entry in os.listdir(folder)[::2]:
        os.remove(os.path.join(folder, entry))
    kept = sorted(os.listdir(folder))
    assert [answer.status_code for _, answer in pages(shipped)] == [200, 200, 404]
    assert sorted(os.listdir(folder)) == kept


def test_each_python_reads_its_own_folder():
    folder = compiled_templates.default_folder()
    assert os.path.basename(folder) == sys.implementation.cache_tag
    assert os.path.dirname(os.path.dirname(folder)) == os.path.dirname(compiled_templates.__file__)
