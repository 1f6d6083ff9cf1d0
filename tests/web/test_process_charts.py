"""Process timelines and the department portfolio: the bars built from an item's history, a
template's active items and a department's projects, and the pages that show them."""

import json
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import plotly.graph_objects as go
import pytest
from markupsafe import Markup, escape
from sqlalchemy import select
from support import (
    add_people,
    launch_article,
    new_project,
    new_task,
    page_figure,
    template,
    user,
)

from mkflow.analytics import item_timelines as timelines
from mkflow.analytics import portfolio as portfolios
from mkflow.analytics.figure_json import to_json
from mkflow.core import clock
from mkflow.core.database import db
from mkflow.core.formatting import Formatter
from mkflow.models import Department, ProcessInstance, TaskStatus, Visibility
from mkflow.processes import engine

T0 = datetime(2026, 3, 2, 9, 0)  # a Monday morning (stored times are naive UTC)
H = timedelta(hours=1)
NOW = T0 + 80 * H


def text(response) -> str:
    return response.get_data(as_text=True)


def as_user(auth, email: str) -> None:
    auth.logout()
    auth.login(email)


def utc_formatter() -> Formatter:
    return Formatter("en", ZoneInfo("UTC"))


def act(instance: ProcessInstance, action: str, at: datetime, **options) -> None:
    engine.act(instance, instance.assignee, action, expected_version=None, at=at, **options)
    db.session.commit()


def department(slug: str) -> Department:
    return db.session.scalar(select(Department).where(Department.slug == slug))


def close_department(slug: str) -> None:
    department(slug).visibility = Visibility.DEPARTMENT
    db.session.commit()


@pytest.fixture
def reworked(processes):
    """An article whose text was rejected once, now at the design stage."""
    item = launch_article(at=T0, deadline=date(2026, 3, 10))
    act(item, "complete", T0 + 2 * H, values={"brief": "Audience: SMB owners"})
    act(item, "complete", T0 + 24 * H, values={"text": "https://docs.demo.local/a"})
    act(item, "reject", T0 + 27 * H, comment="Too dry, add examples")
    act(item, "complete", T0 + 48 * H)
    act(item, "approve", T0 + 49 * H)
    return item


# --- domain ---------------------------------------------------------------------------------


def test_an_items_visits_follow_its_history_with_the_rework_loop(reworked):
    stays = timelines.visits(reworked)
    assert [(v.stage_key, v.number, v.start, v.end, v.outcome) for v in stays] == [
        ("brief", 1, T0, T0 + 2 * H, "completed"),
        ("copy", 1, T0 + 2 * H, T0 + 24 * H, "completed"),
        ("copy_review", 1, T0 + 24 * H, T0 + 27 * H, "rejected"),
        ("copy", 2, T0 + 27 * H, T0 + 48 * H, "completed"),
        ("copy_review", 2, T0 + 48 * H, T0 + 49 * H, "approved"),
        ("design", 1, T0 + 49 * H, None, None),
    ]
    assert stays[0].holders == [user("marketer@demo.local").name]
    assert stays[3].holders == [user("copywriter@demo.local").name]  # rework goes back to them
    assert [timelines.visit_label(v) for v in stays[1:4]] == [
        "Writing",
        "Text approval",
        "Writing (visit 2)",
    ]


def test_the_item_figure_has_a_bar_per_visit_the_rejected_one_apart(reworked):
    fig = go.Figure(
        timelines.item_figure(reworked, timelines.visits(reworked), NOW, utc_formatter())
    )
    bars = {trace.legendgroup: trace for trace in fig.data if trace.type == "bar"}
    assert bars["sent_back"].y == ("visit-2",)
    assert bars["sent_back"].x == (3 * 3600 * 1000,)
    assert bars["work"].y == ("visit-0", "visit-1", "visit-3", "visit-5")
    assert bars["work"].base[-1] == (T0 + 49 * H).isoformat(sep=" ")
    assert bars["work"].x[-1] == 31 * 3600 * 1000  # the current visit lasts up to now
    assert bars["approval"].y == ("visit-4",)
    shapes = [shape.label.text for shape in fig.layout.shapes]
    assert shapes == ["Now", "Deadline"]


def test_the_template_timeline_has_one_bar_per_active_item(processes):
    late = launch_article("Late one", at=T0, deadline=date(2026, 3, 3))
    fresh = launch_article("Fresh one", at=T0 + 72 * H)  # its one-day brief is due tomorrow
    gone = launch_article("Cancelled one", at=T0)
    engine.cancel(gone, user("head@demo.local"), comment="Not needed", expected_version=None)
    db.session.commit()

    today = NOW.date()
    items = timelines.active_items(template("article"), NOW, today)
    assert [(entry.instance.id, entry.late) for entry in items] == [
        (late.id, True),
        (fresh.id, False),
    ]
    assert timelines.active_items(template("article"), NOW, today, "copy") == []

    fig = go.Figure(
        timelines.template_figure(
            template("article"),
            items,
            NOW,
            utc_formatter(),
            lambda i: f"/instances/{i}",
            timelines.stage_choices(template("article")),
        )
    )
    [bars] = [trace for trace in fig.data if trace.type == "bar"]  # both at the first stage
    assert bars.y == (str(late.id), str(fresh.id))
    assert bars.customdata == (f"/instances/{late.id}", f"/instances/{fresh.id}")
    assert bars.base == (T0.isoformat(sep=" "), (T0 + 72 * H).isoformat(sep=" "))
    assert bars.marker.line.width == (3, 0)  # the late one outlined
    [diamonds] = [trace for trace in fig.data if trace.type == "scatter"]
    assert diamonds.y == (str(late.id),) and diamonds.x == ("2026-03-03 12:00:00",)


@pytest.fixture
def campaign(demo):
    """A Marketing project with a done task, a late one and two milestones; and a Marketing
    project of the PR manager that the marketer does not see."""
    project = new_project("Spring campaign", start_date=date(2026, 3, 2))
    add_people(project, "marketer@demo.local")
    plan = new_task(project, "Plan", start_date=date(2026, 3, 3), due_date=date(2026, 3, 5))
    new_task(project, "Copy", start_date=date(2026, 3, 6), due_date=date(2026, 3, 12))
    launch = new_task(project, "Launch day", due_date=date(2026, 3, 20), milestone=True)
    new_task(project, "Report", due_date=date(2026, 4, 3), milestone=True)
    task = db.session.get(type(plan), plan.id)
    task.status = TaskStatus.DONE
    db.session.commit()
    quiet = new_project("Quiet project", manager="pr@demo.local", start_date=date(2026, 2, 2))
    quiet.department = department("marketing")
    db.session.commit()
    return project, launch, quiet


def test_the_portfolio_has_a_bar_per_visible_project_and_its_milestones(campaign):
    project, launch, quiet = campaign
    today = date(2026, 3, 16)
    rows = portfolios.portfolio(department("marketing"), user("marketer@demo.local"), today)
    assert [row.project.id for row in rows] == [project.id]
    [row] = rows
    assert (row.first, row.last, row.total, row.done, row.overdue) == (
        date(2026, 3, 3),
        date(2026, 4, 3),
        4,
        1,
        1,
    )
    assert [(m.title, m.due, m.done) for m in row.milestones] == [
        ("Launch day", date(2026, 3, 20), False),
        ("Report", date(2026, 4, 3), False),
    ]
    head_rows = portfolios.portfolio(department("marketing"), user("head@demo.local"), today)
    assert [r.project.id for r in head_rows] == [quiet.id, project.id]  # by their first day

    fig = go.Figure(
        portfolios.portfolio_figure(
            rows, today, utc_formatter(), lambda i: f"/projects/{i}", lambda i: f"/tasks/{i}"
        )
    )
    assert list(fig.layout.yaxis.categoryarray) == [
        f"project-{project.id}",
        f"milestone-{launch.id}",
        f"milestone-{row.milestones[1].id}",
    ]
    [bars] = [trace for trace in fig.data if trace.type == "bar"]  # the project is running
    assert bars.legendgroup == "running"
    assert bars.base == ("2026-03-03", "2026-03-20", "2026-04-03")
    day = 24 * 3600 * 1000
    assert bars.x == (32 * day, day, day)  # to the end of the last due day; milestone days
    assert "Progress: 1 / 4" in bars.hovertext[0]
    [diamonds] = [trace for trace in fig.data if trace.type == "scatter"]
    assert diamonds.x == ("2026-03-20 12:00:00", "2026-04-03 12:00:00")
    assert diamonds.customdata == (f"/tasks/{launch.id}", f"/tasks/{row.milestones[1].id}")


# --- pages ----------------------------------------------------------------------------------


def table(html: str) -> str:
    match = re.search(r'<div class="chart-table">.*?</div>', html, re.S)
    assert match, "no chart table"
    return match.group(0)


def test_the_item_timeline_page(client, auth, reworked):
    auth.login("head@demo.local")
    response = client.get(f"/instances/{reworked.id}/timeline")
    assert response.status_code == 200
    assert "'unsafe-inline'" in response.headers["Content-Security-Policy"]
    rows = table(text(response))
    assert rows.count("<tr") == 7  # the head and six visits
    assert "Writing (visit 2)" in rows and "Rejected" in rows and "is-sent-back" in rows
    drawn = text(response).split('class="chart-drawn"')[1].split('class="chart-interactive"')[0]
    assert (
        drawn.count("<rect x=") == 6 and "<title>Writing (visit 2)</title>" in drawn
    )  # a bar a visit
    page = text(client.get(f"/instances/{reworked.id}"))
    assert f'href="/instances/{reworked.id}/timeline"' in page

    close_department("marketing")
    as_user(auth, "sales@demo.local")
    assert client.get(f"/instances/{reworked.id}/timeline").status_code == 404
    assert client.get("/instances/999999/timeline").status_code == 404


def test_the_template_timeline_page(client, auth, processes):
    item = launch_article("Spring article", deadline=clock.company_today() + timedelta(days=30))
    article = template("article")
    auth.login("head@demo.local")
    response = client.get(f"/processes/{article.id}/timeline")
    assert response.status_code == 200
    rows = table(text(response))
    assert f'<a href="/instances/{item.id}">Spring article</a>' in rows
    assert "Content brief and deadline" in rows
    empty = table(text(client.get(f"/processes/{article.id}/timeline?stage=copy")))
    assert "Spring article" not in empty
    assert f'href="/processes/{article.id}/timeline"' in text(
        client.get(f"/processes/{article.id}/board")
    )

    close_department("marketing")
    as_user(auth, "sales@demo.local")
    assert client.get(f"/processes/{article.id}/timeline").status_code == 404


def test_the_portfolio_page(client, auth, campaign):
    project, _launch, quiet = campaign
    marketing = department("marketing")
    url = f"/departments/{marketing.id}/portfolio"
    auth.login("marketer@demo.local")
    response = client.get(url)
    assert response.status_code == 200
    rows = table(text(response))
    assert "Spring campaign" in rows and "1 of 4" in rows and "◆ Launch day" in rows
    assert "Quiet project" not in text(response)
    assert f'href="{url}"' in text(client.get("/projects"))

    as_user(auth, "head@demo.local")
    assert "Quiet project" in table(text(client.get(url)))

    as_user(auth, "sales@demo.local")  # sees none of Marketing's projects
    assert client.get(url).status_code == 404
    assert client.get("/departments/999999/portfolio").status_code == 404


LINK = '<a href="https://evil.example">Brief</a>'


def strings(value):
    """Every string in a figure read back from the page."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def test_a_stage_name_reaches_the_timeline_as_text_not_a_link(client, auth, processes):
    """plotly draws a little HTML: a manager's stage name must not become a link."""
    launch_article("Spring article")
    article = template("article")
    article.current_version.stages[0].name = LINK
    db.session.commit()
    auth.login("head@demo.local")
    page = text(client.get(f"/processes/{article.id}/timeline"))
    figure = page_figure(client, page)  # what "Interactive" fetches for plotly.js
    drawn = list(strings(figure))
    assert not [s for s in drawn if "<a" in s]
    legend = [trace["name"] for trace in figure["data"] if trace["type"] == "bar"]
    assert "&lt;a href=&#34;https://evil.example&#34;&gt;Brief&lt;/a&gt;" in legend
    svg = page[page.index('class="chart-drawn"') : page.index('class="chart-interactive"')]
    assert "evil.example" in svg and 'href="https://evil' not in svg  # drawn as text


def test_every_text_of_a_figure_is_escaped_where_it_leaves_the_server():
    link = Markup("<b>%s</b>") % "bold"  # markup a builder means stays as it is
    fig = {
        "data": [
            {
                "type": "bar",
                "name": LINK,
                "y": [LINK],
                "x": [1],
                "text": [LINK],
                "hovertext": [Markup("<br>").join([LINK, "line 2"])],
                "customdata": ["/instances/1?a=1&b=2"],
                "hovertemplate": "%{y}: %{x}<extra>%{fullData.name}</extra>",
            }
        ],
        "layout": {
            "title": {"text": LINK},
            "yaxis": {"ticktext": [link, LINK], "tickvals": [LINK], "categoryarray": [LINK]},
            "annotations": [{"text": LINK}],
            "shapes": [{"type": "line", "label": {"text": LINK}}],
        },
    }
    out = json.loads(to_json(fig))
    assert not [s for s in strings(out) if "<a" in s]
    trace = out["data"][0]
    assert trace["y"] == out["layout"]["yaxis"]["categoryarray"]  # categories still match
    assert trace["hovertext"] == [str(escape(LINK)) + "<br>line 2"]
    assert trace["customdata"] == ["/instances/1?a=1&b=2"]  # links are not drawn
    assert trace["hovertemplate"] == fig["data"][0]["hovertemplate"]
    assert out["layout"]["yaxis"]["ticktext"][0] == "<b>bold</b>"
    go.Figure(out)  # still a figure plotly knows
