"""One date format and one date-time format per language on every page; a stage that waits
for the publication day is due on that day, not at a time of it."""

import re
from datetime import date

import pytest
from support import board_url, launch_article

from mkflow.core.database import db
from mkflow.processes import engine

pytestmark = pytest.mark.usefixtures("processes")
STEPS = [
    ("complete", {"brief": "The brief"}),
    ("complete", {"text": "https://docs.example/text"}),
    ("approve", None),
    ("complete", {"layout": "https://docs.example/layout"}),
    ("approve", None),
]
FORMATS = {
    # (a day, a moment) as each language writes them
    "en": (r"\d{1,2} [A-Z][a-z]{2} \d{4}", r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d"),
    "ru": (r"\d\d\.\d\d\.\d{4}", r"\d\d\.\d\d\.\d{4}, \d\d:\d\d"),
}


def waiting_item():
    item = launch_article(deadline=date(2030, 1, 10), publish_on=date(2030, 1, 15))
    for action, values in STEPS:
        engine.act(item, item.assignee, action, expected_version=None, values=values)
    db.session.commit()
    assert item.stage.key == "ready"
    return item


@pytest.mark.parametrize(
    ("locale", "publication", "deadline"),
    [("en", "15 Jan 2030", "10 Jan 2030"), ("ru", "15.01.2030", "10.01.2030")],
)
def test_the_ready_stage_is_due_on_the_publication_day(client, auth, locale, publication, deadline):
    item = waiting_item()
    auth.login("marketer@demo.local")
    client.post("/language", data={"locale": locale})
    page = client.get(f"/instances/{item.id}").get_data(as_text=True)
    facts = re.search(r'<dl class="facts">.*?</dl>', page.split('class="item-side"')[1], re.S)[0]
    assert f">{publication}" in facts and f">{deadline}<" in facts
    assert "03:00" not in facts and "00:00" not in facts, facts
    board = client.get(board_url()).get_data(as_text=True)
    card = re.search(rf'id="card-{item.id}".*?</li>', board, re.S)[0]
    assert publication in card and "03:00" not in card
    # every date and moment on the page is in the language's one format
    day, moment = FORMATS[locale]
    history = re.search(r'id="history".*?</section>', page, re.S)[0]
    moments = re.findall(r'<span class="muted small">([^<]+)</span>', history)
    assert moments and all(re.fullmatch(moment, m) for m in moments), moments
    assert not re.fullmatch(day, moments[0])  # a moment is not written as a day alone
