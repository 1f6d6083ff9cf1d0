"""The app's one clock: stopped by the tests for every thread, and the days it gives — the
company's and a person's in their own time zone — at each of the suite's moments."""

import re
import threading
from datetime import UTC, date, datetime, timedelta

from support import BERLIN, MOSCOW, at_every_moment, moment_name, user

from mkflow.core import clock
from mkflow.core.database import db


def test_a_stopped_clock_holds_in_every_thread_and_runs_again_after():
    seen = []
    with clock.stopped_at(datetime(2027, 3, 28, 3, 30, tzinfo=MOSCOW)):
        thread = threading.Thread(target=lambda: seen.append(clock.now()))
        thread.start()
        thread.join()
    assert seen == [datetime(2027, 3, 28, 0, 30)]  # naive UTC, as the models store it
    assert clock.now() == datetime(2026, 12, 8, 7, 0)  # the suite's moment again
    clock.set(None)
    system = datetime.now(UTC).replace(tzinfo=None)
    assert abs(clock.now() - system) < timedelta(seconds=5)


# The company (Moscow, UTC+3 all year) and a person in Berlin (UTC+1, UTC+2 in summer).
TODAY = {
    "tuesday-morning": (date(2026, 12, 8), date(2026, 12, 8)),
    "monday-morning": (date(2026, 12, 7), date(2026, 12, 7)),
    "friday-evening": (date(2026, 12, 11), date(2026, 12, 11)),
    "saturday": (date(2026, 12, 12), date(2026, 12, 11)),  # 01:30 in Moscow, 23:30 in Berlin
    "dst-night": (date(2027, 3, 28), date(2027, 3, 28)),
    "new-years-eve": (date(2026, 12, 31), date(2026, 12, 31)),
}


@at_every_moment
def test_the_company_s_today_and_a_person_s_today(app, clock_moment):
    company, berlin = TODAY[moment_name(clock_moment)]
    assert clock.company_today() == company
    assert clock.today_in(BERLIN) == berlin


@at_every_moment
def test_the_dashboard_s_period_ends_on_the_person_s_own_today(
    client, auth, processes, clock_moment
):
    company, berlin = TODAY[moment_name(clock_moment)]
    head = user("head@demo.local")
    auth.login("head@demo.local")
    assert _period_end(client) == company
    head.timezone = "Europe/Berlin"
    db.session.commit()
    assert _period_end(client) == berlin


def _period_end(client) -> date:
    page = client.get("/dashboard").get_data(as_text=True)
    (end,) = re.findall(r'name="to" value="([0-9-]+)"', page)
    return date.fromisoformat(end)
