"""Two languages: the choice of language and complete catalogues."""

import io
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from flask import session
from flask_babel import force_locale, refresh
from support import add_people, board_url, launch_article, new_project, new_task, user

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = str(ROOT / "mkflow/translations/{}/LC_MESSAGES/messages.po")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def _source_messages() -> set:
    method_map = [("mkflow/**.py", "python"), ("mkflow/templates/**.html", "jinja2")]
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=method_map, keywords=KEYWORDS
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def _catalogue(locale: str):
    return read_po(io.BytesIO(Path(CATALOGUE.format(locale)).read_bytes()), locale=locale)


@pytest.mark.parametrize("locale", ["ru", "en"])
def test_catalogue_holds_every_message_of_the_source(locale):
    catalogue = _catalogue(locale)
    missing = {m for m in _source_messages() if m not in catalogue}
    assert not missing, f"run `make translations` and translate: {sorted(missing)}"


def test_russian_catalogue_is_complete_and_consistent():
    for message in _catalogue("ru"):
        if not message.id:
            continue
        assert not message.fuzzy, message.id
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"untranslated: {message.id!r}"
        if isinstance(message.id, tuple):
            assert len(strings) == 3, f"Russian needs three plural forms: {message.id!r}"
        wanted = set(PLACEHOLDER.findall(" ".join(ids)))
        for text in strings:
            assert set(PLACEHOLDER.findall(text)) <= wanted | {"%(num)d"}, message.id


@pytest.mark.parametrize(
    "accept, nav",
    [
        ("ru-RU,ru;q=0.9,en;q=0.5", "Моя работа"),
        ("en-GB,en;q=0.8", "My work"),
        ("de-DE", "My work"),
    ],
)
def test_language_follows_the_browser(client, auth, demo, accept, nav):
    auth.login()
    page = client.get("/me", headers={"Accept-Language": accept}).get_data(as_text=True)
    assert nav in page


def test_default_language_without_a_header_is_the_configured_one(app, client, auth, demo):
    app.config["BABEL_DEFAULT_LOCALE"] = "ru"
    auth.login()
    assert "Моя работа" in client.get("/me").get_data(as_text=True)


def test_switch_before_login_is_kept_in_the_session(client):
    response = client.post("/language", data={"locale": "ru", "next": "/login"})
    assert response.status_code == 303 and response.location == "/login"
    assert "Войти" in client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_switch_is_saved_on_the_account_and_beats_the_browser(client, auth, demo, app):
    auth.login("sales@demo.local")
    client.post("/language", data={"locale": "ru", "next": "/company"})
    assert user("sales@demo.local").locale == "ru"
    other = app.test_client()
    type(auth)(other).login("sales@demo.local")
    page = other.get("/me", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Моя работа" in page
    client.post("/language", data={"locale": "en"})
    assert "My work" in client.get("/me").get_data(as_text=True)


def test_switch_refuses_an_unknown_language_and_an_external_next(client):
    assert client.post("/language", data={"locale": "xx"}).status_code == 400
    response = client.post("/language", data={"locale": "en", "next": "https://evil.example/"})
    assert response.location == "/me"


def test_russian_plural_forms(client, auth, demo):
    auth.login()
    page = client.get("/company", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert "1 человек" in page  # Legal has one person
    assert "6 человек" in page  # Marketing has six


def test_a_start_date_reads_as_a_date_not_as_a_command(client, auth, demo):

    task = new_task(new_project(), "Stand design")
    auth.login()
    page = client.get(f"/projects/tasks/{task.id}", headers={"Accept-Language": "ru"})
    assert "<dt>Начало</dt>" in page.get_data(as_text=True)  # "Start" the date, not "Запустить"


def test_one_english_word_reads_as_what_it_means_in_russian(client, auth, demo):
    """ "Start" a task is «Взять в работу» (launching a process is «Запустить»); "Archive" the
    link is the place («Архив»), the button the act («В архив»); a project is named
    («Название»), a person has a name («Имя»)."""
    ru = {"Accept-Language": "ru"}
    project = new_project()
    add_people(project, "designer@demo.local")
    task = new_task(project, "Stand design", assignee=user("designer@demo.local"))
    auth.login("designer@demo.local")
    assert "Взять в работу" in client.get(f"/projects/tasks/{task.id}", headers=ru).text
    auth.logout()
    auth.login()
    assert re.search(r"archived=1\">Архив</a>", client.get("/projects", headers=ru).text)
    assert "Название" in client.get("/projects/new", headers=ru).text
    auth.logout()
    auth.login("admin@demo.local")
    assert ">Имя</th>" in client.get("/admin/users", headers=ru).text


def test_templates_follow_a_language_forced_or_refreshed_within_a_request(app):
    # Templates look the translations up once per request; a forced language (a calendar
    # feed, a mail) and a refresh() must still be followed, and escaping kept.
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        page = app.jinja_env.from_string('{{ _("Log out") }}|{{ _("%(x)s", x="<b>") }}')
        assert page.render() == "Log out|&lt;b&gt;"
        with force_locale("ru"):
            assert page.render() == "Выйти|&lt;b&gt;"
        assert page.render() == "Log out|&lt;b&gt;"
        session["locale"] = "ru"  # as the language switch does
        refresh()
        assert page.render() == "Выйти|&lt;b&gt;"


def test_card_actions_are_in_each_readers_language(client, auth, processes):
    # The action labels are translated once per language: both languages in one process.
    launch_article()
    auth.login("marketer@demo.local")
    buttons = {"ru": "Завершить и передать дальше", "en": "Complete and hand off"}
    for language, button in buttons.items():
        page = client.get(board_url(), headers={"Accept-Language": language})
        assert button in page.get_data(as_text=True)


def test_running_items_are_items_not_processes_in_russian(client, auth, demo_items):
    auth.login()
    page = client.get("/processes", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert re.search(r"\d+ активн\w+ элемент", page) and not re.search(r"активн\w+ процесс", page)
