"""The dashboards on a small hand-built history (tests/dashboard_scenario.py): each figure
equals the value worked out by hand; permissions per role; CSV equals the table; filters
change the numbers; a process dashboard behind a share link."""

import csv
import html
import io
import re
from dataclasses import replace
from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import plotly.graph_objects as go
import pytest
from dashboard_scenario import END, NOW, PERIOD, START, TODAY, build
from sqlalchemy import select
from support import figure_url, launch_article, page_figure, template, user

from mkflow.analytics import (
    dashboard_figures,
    department_figures,
    drill,
    process_figures,
    project_figures,
    workload,
)
from mkflow.analytics.filters import Filters, Period, parse, percentile
from mkflow.core import clock
from mkflow.core.database import db
from mkflow.core.errors import PermissionDenied
from mkflow.core.text import spreadsheet_cell
from mkflow.models import Department, ProcessTemplate
from mkflow.sharing import share_links


def department(slug: str) -> Department:
    return db.session.scalar(select(Department).where(Department.slug == slug))


_BUILT: dict[str, tuple[type, int]] = {}  # the history's items, project and tasks by name


@pytest.fixture
def history(processes, snapshots, clock_moment):
    """The hand-built history, built once per run and copied back for each test."""

    def build_it():
        _BUILT.update({name: (type(row), row.id) for name, row in build().items()})

    snapshots.restore(("dashboard history", clock_moment), build_it)
    return {name: db.session.get(model, id_) for name, (model, id_) in _BUILT.items()}


@pytest.fixture
def marketing(history) -> Filters:
    return Filters(Period(START, END), department_id=department("marketing").id)


def approx(value, digits=3):
    return round(value, digits)


# --- figures worked out by hand ----------------------------------------------------------


def test_percentile_interpolates_between_ranks():
    assert percentile([72.0, 96.0], 50) == 84.0
    assert approx(percentile([72.0, 96.0], 85)) == 92.4
    assert percentile([5.0, 1.0, 3.0], 50) == 3.0
    assert percentile([], 50) is None


def test_throughput_counts_items_finished_per_week(marketing):
    data = process_figures.throughput(marketing)
    article = template("article").id
    assert data.weeks == [date(2026, 3, 2), date(2026, 3, 9)]
    assert dict(data.counts[article]) == {date(2026, 3, 2): 1, date(2026, 3, 9): 1}


def test_days_are_counted_in_the_company_s_time_zone(marketing):
    east = replace(marketing, period=replace(marketing.period, offset=timedelta(hours=12)))
    assert east.period.lo == datetime(2026, 3, 1, 12, 0)  # local midnight, stored as UTC
    article = template("article").id
    by_week = process_figures.throughput(east).counts[article]
    assert sum(by_week.values()) == sum(
        process_figures.throughput(marketing).counts[article].values()
    )
    # T2, done at 15:00 UTC on 12 March and due that day, is done on the 13th twelve hours east.
    (utc,) = department_figures.summaries(marketing, NOW, TODAY)
    (local,) = department_figures.summaries(east, NOW, TODAY)
    assert (utc.now.on_time, local.now.on_time) == (3, 2)


def test_cycle_time_runs_from_launch_to_the_final_stage(marketing):
    cycle = process_figures.cycle_times(marketing)[template("article").id]
    # A: 96 h, B: 72 h; D finished before the period, C is still running.
    assert cycle.count == 2
    assert cycle.median_hours == 84.0
    assert approx(cycle.p85_hours) == 92.4


def test_time_per_stage_and_the_bottleneck(marketing):
    found = {s.key: s for s in process_figures.stage_times(marketing)}
    expected = {  # key: (visits, mean hours, total hours)
        "brief": (3, 4 / 3, 4),  # A 2, B 1, C 1
        "copy": (4, 13.5, 54),  # A 24 + 24 (rework), B 4, C 2
        "copy_review": (4, 1.5, 6),  # A 2 (rejected) + 2, B 1, C 1
        "design": (3, 24, 72),  # A 24, B 24 + 24; C is still there
        "design_review": (3, 4 / 3, 4),  # A 2, B 1 (rejected) + 1
        "ready": (2, 16, 32),  # A, B: 17:00 to 09:00
    }
    assert set(found) == set(expected)
    for key, (visits, mean, total) in expected.items():
        stage = found[key]
        assert (stage.visits, approx(stage.mean_hours), approx(stage.total_hours)) == (
            visits,
            approx(mean),
            approx(total),
        ), key
    assert max(found.values(), key=lambda s: s.mean_hours).key == "design"


def test_first_pass_rate_per_approval_stage(marketing):
    found = {s.key: s for s in process_figures.first_pass(marketing)}
    # Text approval: A (sent back once), B, C -> 2 of 3; layout: A, B (sent back) -> 1 of 2.
    assert (found["copy_review"].decided, found["copy_review"].rejected) == (3, 1)
    assert approx(found["copy_review"].rate, 2) == 66.67
    assert (found["design_review"].decided, found["design_review"].rejected) == (2, 1)
    assert found["design_review"].rate == 50.0


def test_on_time_rate_throughput_and_trend_of_the_department(marketing):
    (summary,) = department_figures.summaries(marketing, NOW, TODAY)
    # Active now: item C and the open tasks T4, T5, T6, M; overdue: C (due 12 Mar 13:00), T4.
    assert (summary.active, summary.overdue) == (5, 2)
    # Finished: A, B and the tasks T1, T2, T3. With a deadline or due date: A (on time),
    # B (a day late), T1 (a day early), T2 (the same day): 3 of 4.
    assert (summary.now.finished, summary.now.due, summary.now.on_time) == (5, 4, 3)
    assert summary.now.on_time_rate == 75.0
    assert summary.now.median_hours == 84.0
    # The two weeks before: D alone, 24 h, no deadline.
    assert (summary.before.finished, summary.before.median_hours) == (1, 24.0)
    assert summary.before.on_time_rate is None


def test_workload_and_finished_work_per_person(marketing):
    found = {p.name: p for p in workload.people(marketing, NOW, TODAY)}
    designer = found[user("designer@demo.local").name]
    # C (due Thu 12 Mar, overdue on Fri 13), T4 due 10 Mar (overdue), T5 due 18 Mar
    # (next week), T6 without a date.
    assert (designer.items, designer.tasks, designer.overdue) == (1, 3, 2)
    assert (designer.due_this_week, designer.due_next_week, designer.due_later) == (0, 1, 1)
    assert designer.load == 3 and not designer.overloaded
    # Design done: A on 5 Mar (last week), B on 10 and 11 Mar (this week).
    assert (designer.done_this_week, designer.done_last_week) == (2, 1)
    copywriter = found[user("copywriter@demo.local").name]
    # Copy of A twice (last week), of B and C (this week); tasks T1 (last week), T2, T3.
    assert (copywriter.done_this_week, copywriter.done_last_week) == (4, 3)
    marketer = found[user("marketer@demo.local").name]
    # A: brief, rejection, approval, approval, publication (last week); B: brief, approval,
    # rejection, approval, publication; C: brief, approval (this week).
    assert (marketer.done_this_week, marketer.done_last_week) == (7, 5)
    assert marketer.active == 0


def test_projects_progress_overdue_slipped_and_milestones(marketing):
    (row,) = project_figures.projects(marketing, TODAY)
    assert (row.total, row.done, row.overdue, row.slipped) == (7, 3, 1, 1)
    (milestone,) = project_figures.milestones(marketing, TODAY)
    assert (milestone.title, milestone.due) == ("M", date(2026, 3, 20))
    (slipped,) = drill.slipped_tasks(marketing)
    assert (slipped.title, slipped.cells[0]) == ("T5", 2)


def test_cumulative_flow_counts_items_at_each_stage_per_day(marketing):
    flow = process_figures.cumulative_flow(marketing, template("article").id)
    assert flow.days[0] == START and flow.days[-1] == END and len(flow.days) == 14
    day = {d: n for n, d in enumerate(flow.days)}
    at = {key: values for key, values in flow.counts.items()}
    assert at["published"][day[START]] == 1  # D
    assert at["copy"][day[date(2026, 3, 3)]] == 1  # A, sent back for rework at 13:00
    assert at["published"][day[date(2026, 3, 6)]] == 2
    assert at["design"][day[date(2026, 3, 10)]] == 2  # B and C
    assert at["published"][day[END]] == 3 and at["design"][day[END]] == 1
    assert sum(values[day[END]] for values in at.values()) == 4  # every item once


def test_the_drill_down_lists_exactly_the_counted_items(marketing):
    week = marketing.narrowed(Period(date(2026, 3, 9), date(2026, 3, 15)))
    assert [r.title for r in drill.finished_items(week)] == ["B"]
    assert sorted(r.title for r in drill.finished_items(marketing)) == ["A", "B"]
    visits = drill.stage_visits(marketing, "design")
    assert sorted(r.title for r in visits) == ["A", "B", "B"]
    decided = {r.title: r.cells for r in drill.decisions(marketing, "copy_review")}
    assert decided == {"A": [1, 1], "B": [0, 1], "C": [0, 1]}


# --- filters -------------------------------------------------------------------------------


def test_filters_change_the_numbers(marketing):
    first_week = marketing.narrowed(Period(START, date(2026, 3, 8)))
    cycle = process_figures.cycle_times(first_week)[template("article").id]
    assert (cycle.count, cycle.median_hours) == (1, 96.0)
    (summary,) = department_figures.summaries(first_week, NOW, TODAY)
    assert (summary.now.finished, summary.now.on_time_rate) == (2, 100.0)  # A and T1
    other = marketing.narrowed(template_id=template("newsletter").id)
    assert process_figures.cycle_times(other) == {} and process_figures.stage_times(other) == []
    copywriter = marketing.narrowed(person_id=user("copywriter@demo.local").id)
    assert [p.name for p in workload.people(copywriter, NOW, TODAY)] == [
        user("copywriter@demo.local").name
    ]
    (row,) = project_figures.projects(copywriter, TODAY)
    assert (row.total, row.done) == (3, 3)


def test_parse_reads_the_url_and_defaults_to_four_weeks(app):
    app.config["BABEL_DEFAULT_TIMEZONE"] = "Europe/Berlin"  # an hour ahead of UTC in March
    f = parse({"from": "2026-03-02", "to": "2026-03-15", "department": "3", "person": "x"}, TODAY)
    assert (f.period.start, f.period.end, f.department_id, f.person_id) == (START, END, 3, None)
    assert f.period.lo == datetime(2026, 3, 1, 23, 0)  # midnight in Berlin, stored as UTC
    for broken in ("0001-01-01", "9999-12-31", "2026-13-01"):
        assert parse({"from": broken, "to": broken}, TODAY).period.end == TODAY
    f = parse({}, TODAY)
    assert (f.period.end, f.period.days) == (TODAY, 28)
    assert Period(START, END).previous() == Period(date(2026, 2, 16), date(2026, 3, 1))


# --- pages, permissions, CSV ---------------------------------------------------------------


class Tables(HTMLParser):
    """The text of each table's body rows, by table id."""

    def __init__(self, html: str):
        super().__init__()
        self.tables, self._id, self._row, self._cell, self._in_body = {}, None, None, None, False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._id = dict(attrs).get("id")
            self.tables[self._id] = []
        elif tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self._row = []
        elif tag == "td" and self._row is not None:
            self._cell = ""

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            self._row.append(self._cell.strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[self._id].append(self._row)
            self._row = None
        elif tag == "tbody":
            self._in_body = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


def whole_page(client, url) -> str:
    """The dashboard as a reader who scrolls to its end sees it: the page and every chart
    htmx brings in when it comes into view."""
    response = client.get(url)
    assert response.status_code == 200, url
    page = response.get_data(as_text=True)
    parts = []
    for part_url in re.findall(r'hx-get="([^"]+)" hx-trigger="revealed"', page):
        part = client.get(html.unescape(part_url), headers={"HX-Request": "true"})
        assert part.status_code == 200, part_url
        parts.append(part.get_data(as_text=True))
    return page + "".join(parts)


def page_tables(client, url) -> dict:
    return Tables(whole_page(client, url)).tables


def as_shown(cell: str) -> str:
    """A CSV cell as the page's table shows it: ISO dates as "2 Mar 2026", hours as days and
    hours ("84.0" -> "3 d 12 h"); anything else as it is."""
    if re.fullmatch(r"\d{4}-\d\d-\d\d", cell):
        day = date.fromisoformat(cell)
        return f"{day.day} {day:%b} {day.year}"
    return cell


def same_table(csv_body: list[list[str]], table: list[list[str]], hour_columns=()) -> bool:
    """The CSV holds the table's values: dates in ISO, lengths of time in hours (rounded to
    a tenth), the rest as shown."""
    if len(csv_body) != len(table):
        return False
    for row, shown in zip(csv_body, table, strict=True):
        timed = set(hour_columns)
        if row[0].endswith(", h"):  # a row of lengths of time says so in its first cell
            row, timed = [row[0].removesuffix(", h"), *row[1:]], set(range(1, len(row)))
        for n, (cell, text) in enumerate(zip(row, shown, strict=True)):
            if n in timed and cell:
                # the table names two units: "3 d 20 h" is exact to the hour
                precision = 1 if " d" in text else 0.05
                if abs(float(cell) - shown_hours(text)) >= precision:
                    return False
            elif as_shown(cell) != text:
                return False
    return True


def shown_hours(text: str) -> float:
    """ "−2 d 12 h" -> -60.0: a length of time as the table shows it, in hours."""
    units = {"d": 24, "h": 1, "min": 1 / 60}
    total = sum(int(n) * units[u] for n, u in re.findall(r"(\d+) (d|h|min)", text))
    return -total if text.startswith("−") else total


def csv_rows(client, url) -> list[list[str]]:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


@pytest.mark.parametrize(
    "name",
    ['=HYPERLINK("https://evil.example","Open")', "+1+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx"],
)
def test_a_csv_cell_never_starts_a_formula_and_numbers_stay_numbers(client, auth, history, name):
    template("article").name = name
    db.session.commit()
    auth.login("head@demo.local")
    query = "&".join(f"{k}={v}" for k, v in PERIOD.items())
    [row] = csv_rows(client, f"/dashboard/cycle.csv?{query}")[1:]
    assert row == ["'" + name, "2", "84.0", "92.4"]  # a spreadsheet shows the name as text
    assert page_tables(client, f"/dashboard?{query}")["cycle-table"][0][0] == name.strip()


def test_signed_numbers_in_a_csv_stay_numbers():
    assert [spreadsheet_cell(v) for v in ("-3", "+1.5", "-12.5%", "0", "-", "-x")] == [
        "-3",
        "+1.5",
        "-12.5%",
        "0",
        "'-",
        "'-x",
    ]


def test_a_head_sees_the_department_and_each_csv_equals_its_table(client, auth, history):
    auth.login("head@demo.local")
    query = "&".join(f"{k}={v}" for k, v in PERIOD.items())
    tables = page_tables(client, f"/dashboard?{query}")
    for name in dashboard_figures.DEPARTMENT:  # every chart of the page
        rows = csv_rows(client, f"/dashboard/{name}.csv?{query}")
        hour_columns = {n for n, header in enumerate(rows[0]) if header.endswith(", h")}
        assert same_table(rows[1:], tables[f"{name}-table"], hour_columns), name
    # Lengths of time as people say them; the CSV keeps hours, and says so.
    assert tables["cycle-table"] == [["Article publication", "2", "3 d 12 h", "3 d 20 h"]]
    assert csv_rows(client, f"/dashboard/cycle.csv?{query}")[0][2:] == [
        "Median, h",
        "85th percentile, h",
    ]
    assert ["Article publication", "Text approval", "3", "1", "66.7"] in tables["first_pass-table"]
    assert tables["throughput-table"] == [
        ["2 Mar 2026", "Article publication", "1"],
        ["9 Mar 2026", "Article publication", "1"],
    ]
    # The bars' figures are in the page, each bar linking to its items.
    page = whole_page(client, f"/dashboard?{query}")
    assert page.count('<svg class="chart-svg') >= 6
    assert re.search(r'<a href="/dashboard/items\?[^"]*show=finished[^"]*"[^>]*><rect ', page)


def test_filters_in_the_url_change_the_page(client, auth, history):
    auth.login("head@demo.local")
    whole = page_tables(client, "/dashboard?from=2026-03-02&to=2026-03-15")
    first = page_tables(client, "/dashboard?from=2026-03-02&to=2026-03-08")
    assert whole["cycle-table"][0][1:3] == ["2", "3 d 12 h"]
    assert first["cycle-table"][0][1:3] == ["1", "4 d"]
    newsletter = template("newsletter").id
    other = page_tables(client, f"/dashboard?from=2026-03-02&to=2026-03-15&template={newsletter}")
    assert other["cycle-table"] == []


def test_a_member_sees_only_their_own_numbers(client, auth, history):
    auth.login("copywriter@demo.local")
    tables = page_tables(client, "/dashboard?from=2026-03-02&to=2026-03-15")
    assert [row[0] for row in tables["people-table"]] == [user("copywriter@demo.local").name]
    other = user("designer@demo.local").id
    assert client.get(f"/dashboard?person={other}").status_code == 404
    assert client.get(f"/dashboard/items?show=work&person={other}").status_code == 404
    assert client.get("/dashboard/company").status_code == 404
    assert client.get(f"/dashboard?department={department('sales').id}").status_code == 404


def test_heads_see_their_department_only(client, auth, history):
    auth.login("sales.head@demo.local")
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Dashboard: Sales" in page
    assert client.get(f"/dashboard?department={department('marketing').id}").status_code == 404
    assert client.get("/dashboard/company").status_code == 404
    assert client.get("/dashboard/company/departments.csv").status_code == 404


@pytest.mark.parametrize("email", ["ceo@demo.local", "admin@demo.local"])
def test_the_company_head_and_administrators_see_every_department(client, auth, history, email):
    auth.login(email)
    query = "from=2026-03-02&to=2026-03-15"
    tables = page_tables(client, f"/dashboard/company?{query}")
    rows = {row[0]: row for row in tables["departments-table"]}
    assert set(rows) == {d.name for d in db.session.scalars(select(Department))}
    assert rows["Marketing"] == [
        # Active and overdue now (the page's now: C, T4, T5 and M are past due), finished
        # in the period and before, the change.
        *("Marketing", "5", "4", "5", "1", "+4"),
        *("75.0", "", ""),  # on time now and before (nothing was due before)
        *("3 d 12 h", "1 d", "+2 d 12 h"),  # median cycle time
    ]
    csv = csv_rows(client, f"/dashboard/company/departments.csv?{query}")
    assert {row[0]: row for row in csv}["Marketing"][-3:] == ["84.0", "24.0", "+60.0"]  # hours
    assert same_table(csv[1:], list(tables["departments-table"]), {9, 10, 11})
    assert len(set(csv[0])) == len(csv[0])  # each column says what it is: no three "Change"
    marketing = department("marketing").id
    page = client.get(f"/dashboard/company?{query}").get_data(as_text=True)
    assert f"/dashboard?from=2026-03-02&amp;to=2026-03-15&amp;department={marketing}" in page
    assert client.get(f"/dashboard?department={marketing}").status_code == 200


def test_anonymous_visitors_log_in_first(client):
    assert client.get("/dashboard").status_code == 302
    assert client.get("/dashboard/company").status_code == 302


def test_the_drill_down_page_lists_the_items_of_a_bar(client, auth, history):
    auth.login("head@demo.local")
    article = template("article").id
    response = client.get(
        f"/dashboard/items?show=finished&template={article}&from=2026-03-09&to=2026-03-15"
    )
    titles = re.findall(r'<a href="/instances/\d+">([^<]+)</a>', response.get_data(as_text=True))
    assert titles == ["B"]
    designer = user("designer@demo.local").id
    work = client.get(f"/dashboard/items?show=work&person={designer}").get_data(as_text=True)
    assert re.findall(r'<a href="[^"]*/(?:instances|tasks)/\d+">([^<]+)</a>', work) == [
        "T4",
        "C",
        "T5",
        "T6",
    ]


def share_article_dashboard():
    """A week's share link to the article process's dashboard: (link, token)."""
    shared = share_links.create(
        user("head@demo.local"),
        template("article"),
        "process_dashboard",
        clock.company_today() + timedelta(days=7),
        today=clock.company_today(),
        zone=ZoneInfo("UTC"),
    )
    db.session.commit()
    return shared


def test_a_share_link_shows_a_process_dashboard_read_only(client, auth, history):
    article = template("article")
    link, token = share_article_dashboard()
    response = client.get(f"/share/{token}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Dashboard: Article publication" in html
    assert 'id="cycle-table"' in html and '<svg class="chart-svg' in html
    assert "/instances/" not in html and "/dashboard" not in html and "<form" not in html
    assert "process_dashboard" in share_links.kinds_for(article)


def test_every_figure_is_a_valid_plotly_figure(marketing):

    ctx = dashboard_figures.Context(marketing, NOW, TODAY, lambda view, changes: f"/{view}")
    for name, make in (dashboard_figures.DEPARTMENT | dashboard_figures.COMPANY).items():
        chart = make(
            ctx.__class__(
                marketing if name != "departments" else marketing.narrowed(department_id=None),
                NOW,
                TODAY,
                ctx.url,
            )
        )
        if chart.figure is not None:
            go.Figure(chart.figure)  # raises on anything plotly does not know
        assert all(len(row) == len(chart.headers) for row in chart.rows), name


def test_names_in_the_charts_are_text_not_markup(client, auth, history):

    article = db.session.scalar(select(ProcessTemplate).where(ProcessTemplate.slug == "article"))
    article.name = '<a href="https://evil.example">Click</a>'
    db.session.commit()
    auth.login("head@demo.local")
    query = "&".join(f"{k}={v}" for k, v in PERIOD.items())
    page = whole_page(client, f"/dashboard?{query}")
    assert "&lt;a href=&#34;https:" in page  # escaped in the SVG
    assert 'href="https://evil.example"' not in page
    figure = page_figure(client, page[page.index('id="throughput-chart"') :])
    assert [trace["name"] for trace in figure["data"]] == [
        "&lt;a href=&#34;https://evil.example&#34;&gt;Click&lt;/a&gt;"
    ]  # never a link plotly would draw


def test_a_person_s_summary_counts_the_work_they_hold_now(marketing):
    for email in ("marketer@demo.local", "designer@demo.local", "copywriter@demo.local"):
        mine = replace(marketing, person_id=user(email).id)
        (summary,) = department_figures.summaries(mine, NOW, TODAY)
        (person,) = workload.people(mine, NOW, TODAY)
        assert (summary.active, summary.overdue) == (person.active, person.overdue), email


def test_a_department_head_shares_the_dashboard_without_its_people(client, auth, history):

    marketing = department("marketing")
    assert share_links.can_share(user("head@demo.local"), marketing)
    assert share_links.can_share(user("admin@demo.local"), marketing)
    for outsider in ("marketer@demo.local", "sales.head@demo.local"):
        assert not share_links.can_share(user(outsider), marketing)
    with pytest.raises(PermissionDenied):
        share_links.create(
            user("marketer@demo.local"),
            marketing,
            "department_dashboard",
            clock.company_today(),
            today=clock.company_today(),
            zone=ZoneInfo("UTC"),
        )

    auth.login("head@demo.local")
    page = client.get("/dashboard").get_data(as_text=True)
    assert f'action="/departments/{marketing.id}/share"' in page
    until = (clock.company_today() + timedelta(days=7)).isoformat()
    created = client.post(
        f"/departments/{marketing.id}/share",
        data={"kind": "department_dashboard", "expires_on": until},
    )
    assert created.status_code == 200
    url = re.search(
        r"data-share-url>(http://localhost/share/[^<]+)<", created.get_data(as_text=True)
    )
    path = url.group(1).removeprefix("http://localhost")
    auth.logout()

    shared = client.get(path)
    assert shared.status_code == 200
    html = shared.get_data(as_text=True)
    assert "Dashboard: Marketing" in html and 'id="throughput-table"' in html
    assert 'id="projects-table"' in html
    assert 'id="people-table"' not in html and "@demo.local" not in html
    assert "<form" not in html and not re.search(r'href="/(?!static/|share/)', html)

    auth.login("sales.head@demo.local")
    assert client.post(f"/departments/{marketing.id}/share", data={}).status_code == 404
    link = db.session.scalar(select(share_links.ShareLink))
    assert client.post(f"/share-links/{link.id}/revoke").status_code == 404
    auth.logout()
    auth.login("head@demo.local")
    assert client.post(f"/share-links/{link.id}/revoke").status_code == 302
    assert client.get(path).status_code == 404


def test_people_without_open_work_get_their_table_but_no_empty_chart(marketing):

    legal = marketing.narrowed(department_id=department("legal").id)
    chart = dashboard_figures.people_chart(
        dashboard_figures.Context(legal, NOW, TODAY, lambda view, changes: "")
    )
    assert chart.rows and all(row[1] == row[2] == "0" for row in chart.rows)  # as shown
    assert chart.figure is None
    busy = dashboard_figures.people_chart(
        dashboard_figures.Context(marketing, NOW, TODAY, lambda view, changes: "")
    )
    assert busy.figure is not None


def test_the_first_screen_comes_with_the_page_and_the_rest_when_scrolled_to(client, auth, history):
    auth.login("head@demo.local")
    query = "&".join(f"{k}={v}" for k, v in PERIOD.items())
    page = client.get(f"/dashboard?{query}").get_data(as_text=True)
    assert not re.search(r"<script[^>]*plotly", page)  # plotly.js only when asked for
    assert 'id="people-chart"' in page and 'id="throughput-table"' in page
    assert 'id="cycle-table"' not in page  # below the fold: a placeholder with its heading
    later = re.search(
        r'<section[^>]*id="cycle"[^>]*hx-get="([^"]+)"[^>]*>(.*?)</section>', page, re.S
    )
    url = html.unescape(later.group(1))
    assert url.startswith("/dashboard/part/cycle?") and "from=2026-03-02" in url
    assert "Cycle time, launch to the final stage" in later.group(2)
    assert f'<a href="{later.group(1)}">Show this chart</a>' in later.group(2)  # without JS
    fragment = client.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert fragment.lstrip().startswith('<section class="dash-section dash-cycle" id="cycle"')
    assert "<html" not in fragment and '<svg class="chart-svg' in fragment
    assert Tables(fragment).tables["cycle-table"] == [
        ["Article publication", "2", "3 d 12 h", "3 d 20 h"]
    ]
    alone = client.get(url)  # the link's page: the chart with the dashboard's navigation
    assert "<html" in alone.get_data(as_text=True) and 'id="cycle-table"' in alone.get_data(
        as_text=True
    )
    assert "Dashboard: Marketing" in alone.get_data(as_text=True)
    assert client.get("/dashboard/part/nothing").status_code == 404


def test_interactive_fetches_each_chart_s_figure_with_the_dashboard_s_filters(
    client, auth, history
):
    auth.login("head@demo.local")
    week = "from=2026-03-02&to=2026-03-08"
    page = client.get(f"/dashboard?{week}").get_data(as_text=True)
    section = page[page.index('id="throughput-chart"') :]
    assert figure_url(section) == f"/dashboard?{week}&figure=throughput-chart"
    (bars,) = page_figure(client, section)["data"]
    assert (bars["x"], bars["y"]) == (["2026-03-02"], [1])  # the week the page shows
    # a chart that comes later (htmx) is fetched from its part's URL, filters kept
    part = client.get(f"/dashboard/part/cycle?{week}", headers={"HX-Request": "true"})
    fragment = part.get_data(as_text=True)
    assert figure_url(fragment) == f"/dashboard/part/cycle?{week}&figure=cycle-chart"
    assert "Article publication" in str(page_figure(client, fragment))
    assert client.get(f"/dashboard?{week}&figure=cycle-chart").status_code == 404  # not here
    auth.logout()
    auth.login("sales.head@demo.local")
    other = f"/dashboard?department={department('marketing').id}&figure=throughput-chart"
    assert client.get(other).status_code == 404


def test_a_shared_dashboard_s_figures_need_its_token_and_no_login(client, auth, history):
    link, token = share_article_dashboard()
    page = client.get(f"/share/{token}").get_data(as_text=True)
    url = figure_url(page)
    assert re.fullmatch(rf"/share/{token}\?figure=[a-z_]+-chart", url)
    figure = page_figure(client, page)  # the article's cumulative flow, without links
    assert "Published" in {trace["name"] for trace in figure["data"]}
    assert "/dashboard" not in str(figure) and "/instances" not in str(figure)
    assert client.get(url.replace(token, token[:-1] + "x")).status_code == 404
    share_links.revoke(user("head@demo.local"), link, clock.now())
    db.session.commit()
    assert client.get(url).status_code == 404


def test_the_company_head_lands_on_the_company_view_and_a_department_head_on_hers(
    client, auth, history
):
    auth.login("ceo@demo.local")
    response = client.get("/dashboard?from=2026-03-02&to=2026-03-15")
    assert response.status_code == 302
    assert response.location == "/dashboard/company?from=2026-03-02&to=2026-03-15"
    marketing = department("marketing").id
    assert client.get(f"/dashboard?department={marketing}").status_code == 200  # asked for
    auth.logout()
    auth.login("head@demo.local")
    page = client.get("/dashboard")
    assert page.status_code == 200 and "Marketing" in page.get_data(as_text=True)


def test_a_heads_summary_counts_what_the_people_table_below_shows(client, auth, processes):
    """The sales head holds a marketing item, overdue: his department's summary says so, as
    the People table under it does (it once said 0 and 0)."""
    item = launch_article(roles={"Marketer": user("sales.head@demo.local").id})
    item.stage_due_at = clock.now() - timedelta(hours=1)
    db.session.commit()
    auth.login("sales.head@demo.local")
    tables = page_tables(client, "/dashboard")
    summary = {row[0]: row[1] for row in tables["summary-table"]}
    assert (summary["Active work"], summary["Overdue"]) == ("1", "1")
    [me] = [row for row in tables["people-table"] if row[0] == "Viktor Orlov"]
    assert me[1:4] == ["1", "0", "1"]  # items, tasks, overdue
    # the marketing department still counts its own item, once
    auth.logout()
    auth.login("head@demo.local")
    marketing = {row[0]: row[1] for row in page_tables(client, "/dashboard")["summary-table"]}
    assert (marketing["Active work"], marketing["Overdue"]) == ("1", "1")
