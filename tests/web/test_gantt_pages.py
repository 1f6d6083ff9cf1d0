"""The project Gantt chart: the figure built for a seeded project and for a hand-made one,
its page with filters and zoom in the URL, who may open it, and the light script bundle."""

import gzip
import json
import re
from datetime import date, timedelta

import plotly.graph_objects as go
import pytest
from support import (
    add_people,
    at_every_moment,
    figure_url,
    new_project,
    new_task,
    page_figure,
    user,
)
from test_sharing import assert_reveals_nothing, marketing_project, share

from mkflow.analytics import gantt as charts
from mkflow.analytics.figure_json import to_json
from mkflow.blueprints.charts import routes as chart_routes
from mkflow.core import clock
from mkflow.core.database import db
from mkflow.models import Project, Task, TaskLink, TaskStatus
from mkflow.projects import lifecycle as project_rules
from mkflow.projects import tasks as rules
from mkflow.projects.tasks import TaskData
from mkflow.sharing import share_links
from mkflow.web.cards import prepare_rows
from mkflow.web.fragments import FragmentCache

MON = date(2030, 3, 4)  # far ahead: nothing is overdue
DAY_MS = 24 * 3600 * 1000
ENDS = {
    "fs": ("end", "start"),
    "ss": ("start", "start"),
    "ff": ("end", "end"),
    "sf": ("start", "end"),
}


def build(project, today=MON, **filters):
    """The figure of ``project`` as plotly.js receives it."""
    gantt = charts.gantt_of(project, today, charts.GanttFilters(**filters))
    labels = prepare_rows(gantt.rows)["labels"]  # links and texts, as the page does
    figure = charts.gantt_figure(gantt, today, "month", labels["status"])
    go.Figure(figure)  # plotly checks it against its schema
    return gantt, json.loads(to_json(figure))


def bars_of(figure) -> dict[int, tuple[str, int]]:
    """Task id → (start, length in ms) over every bar trace."""
    bars = {}
    for trace in figure["data"]:
        if trace["type"] == "bar":
            for key, base, length in zip(trace["y"], trace["base"], trace["x"], strict=True):
                assert int(key) not in bars
                bars[int(key)] = (base, length)
    return bars


def trace(figure, kind: str, mode: str | None = None) -> list[dict]:
    return [t for t in figure["data"] if t["type"] == kind and (mode is None or t["mode"] == mode)]


def arrows_of(figure) -> list[tuple]:
    """(from id, from x, to id, to x) of each arrow: four points, the last a gap."""
    (arrows,) = trace(figure, "scatter", "lines+markers")
    xs, ys = arrows["x"], arrows["y"]
    assert len(xs) % 4 == 0 and xs[3::4] == [None] * (len(xs) // 4)
    return [(int(ys[i]), xs[i], int(ys[i + 2]), xs[i + 2]) for i in range(0, len(xs), 4)]


@pytest.fixture
def seeded(app, demo_projects):
    with app.test_request_context():
        project = db.session.scalar(
            db.select(Project).where(Project.name == "WarehouseTech Expo 2027")
        )
        tasks = db.session.scalars(db.select(Task).where(Task.project_id == project.id)).all()
        links = db.session.scalars(db.select(TaskLink).where(TaskLink.project_id == project.id))
        yield project, tasks, links.all()


@at_every_moment
def test_the_seeded_conference_has_a_bar_per_task_with_its_dates(seeded):
    project, tasks, _links = seeded
    _gantt, figure = build(project)
    bars = bars_of(figure)
    assert len(tasks) > 20 and set(bars) == {t.id for t in tasks}
    for task in tasks:
        start, length = bars[task.id]
        assert start == task.start_date.isoformat()
        assert length == ((task.due_date - task.start_date).days + 1) * DAY_MS


def test_the_seeded_conference_lists_subtasks_right_under_their_parents(seeded):
    project, tasks, _links = seeded
    _gantt, figure = build(project)
    order = [int(key) for key in figure["layout"]["yaxis"]["categoryarray"]]
    assert sorted(order) == sorted(t.id for t in tasks)
    parent = {t.id: t.parent_id for t in tasks}
    assert any(parent.values())

    def ancestors(task_id):
        while parent[task_id] is not None:
            task_id = parent[task_id]
            yield task_id

    for index, task_id in enumerate(order):
        if parent[task_id] is not None:
            # Between a subtask and its parent there are only the parent's other descendants.
            parent_index = order.index(parent[task_id])
            assert parent_index < index
            assert all(parent[task_id] in ancestors(t) for t in order[parent_index + 1 : index])
    ticks = figure["layout"]["yaxis"]["ticktext"]
    by_id = {t.id: t for t in tasks}
    for task_id, tick in zip(order, ticks, strict=True):
        title = by_id[task_id].title.replace("&", "&amp;")
        assert tick == (f"└ {title}" if parent[task_id] else f"<b>{title}</b>")


def test_the_seeded_conference_has_an_arrow_per_link_and_diamonds_for_milestones(seeded):
    project, tasks, links = seeded
    _gantt, figure = build(project)
    by_id = {t.id: t for t in tasks}

    def edge(task, which):
        return (
            task.start_date if which == "start" else task.due_date + timedelta(days=1)
        ).isoformat()

    expected = sorted(
        (
            link.predecessor_id,
            edge(by_id[link.predecessor_id], ENDS[link.kind][0]),
            link.successor_id,
            edge(by_id[link.successor_id], ENDS[link.kind][1]),
        )
        for link in links
    )
    assert len(links) > 10 and {link.kind for link in links} >= {"fs", "ss"}
    assert sorted(arrows_of(figure)) == expected
    (diamonds,) = trace(figure, "scatter", "markers")
    milestones = [t for t in tasks if t.milestone]
    assert milestones and diamonds["marker"]["symbol"] == "diamond"
    assert sorted(zip(map(int, diamonds["y"]), diamonds["x"], strict=True)) == sorted(
        (t.id, f"{t.due_date.isoformat()} 12:00:00") for t in milestones
    )


def test_colours_follow_status_and_late_tasks_are_outlined(app, demo):
    with app.test_request_context():
        project = new_project()
        late = new_task(project, "Late", start_date=MON, due_date=MON + timedelta(days=1))
        done = new_task(project, "Done", start_date=MON, due_date=MON)
        db.session.get(Task, done.id).status = TaskStatus.DONE
        db.session.commit()
        _gantt, figure = build(project, today=MON + timedelta(days=3))
        by_name = {t["name"]: t for t in trace(figure, "bar")}
        assert by_name["Assigned"]["y"] == [str(late.id)]
        assert by_name["Assigned"]["marker"]["line"]["width"] == [3]  # overdue
        assert by_name["Done"]["y"] == [str(done.id)]
        assert by_name["Done"]["marker"]["line"]["width"] == [0]  # done is never late
        assert by_name["Assigned"]["customdata"] == [f"/projects/tasks/{late.id}"]
        # Hover: title, assignee, dates, status; a dotted line at today.
        assert by_name["Assigned"]["hovertext"] == [
            "Late<br>Assignee: Unassigned<br>Dates: 4 Mar 2030 – 5 Mar 2030"
            "<br>Status: Assigned · Overdue"
        ]
        (line,) = figure["layout"]["shapes"]
        assert (line["x0"], line["x1"], line["label"]["text"]) == (
            "2030-03-07",
            "2030-03-07",
            "Today",
        )


def test_the_chart_shows_new_dates_after_rescheduling(app, demo):
    with app.test_request_context():
        project = new_project()
        first = new_task(project, "First", start_date=MON, due_date=MON + timedelta(days=1))
        second = new_task(
            project, "Second", start_date=MON + timedelta(days=2), due_date=MON + timedelta(days=2)
        )
        manager = user("head@demo.local")
        rules.add_link(db.session.get(Task, second.id), manager, first.id, "fs")
        db.session.commit()
        row = db.session.get(Task, first.id)
        data = TaskData(title="First", start_date=MON, due_date=MON + timedelta(days=3))
        rules.update_task(row, manager, data)
        db.session.commit()
        bars = bars_of(build(project)[1])
        assert bars[first.id] == (MON.isoformat(), 4 * DAY_MS)
        assert bars[second.id] == ((MON + timedelta(days=4)).isoformat(), DAY_MS)  # Fri


def test_filters_keep_only_matching_tasks_and_links_between_them(app, demo):
    with app.test_request_context():
        project = new_project()
        add_people(project, "copywriter@demo.local")
        mine = new_task(
            project, "Mine", start_date=MON, due_date=MON, assignee=user("copywriter@demo.local")
        )
        other = new_task(project, "Other", start_date=MON, due_date=MON)
        rules.add_link(db.session.get(Task, other.id), project.manager, mine.id, "ss")
        db.session.commit()
        gantt, figure = build(project, assignee_id=user("copywriter@demo.local").id)
        assert [row.title for row in gantt.rows] == ["Mine"] and not gantt.links
        assert set(bars_of(figure)) == {mine.id}
        assert not trace(figure, "scatter", "lines+markers")


# The page


def test_the_gantt_page_shows_the_chart_and_its_table(client, auth, demo):
    project = new_project()
    parent = new_task(project, "Venue <booking>", start_date=MON, due_date=MON + timedelta(days=4))
    new_task(project, "Contract", start_date=MON, due_date=MON, parent_id=parent.id, milestone=True)
    auth.login()
    response = client.get(f"/projects/{project.id}/gantt")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    # drawn on the server: a bar per task (a link to it), the milestone's diamond; plotly.js
    # only behind the "Interactive" button, no script tag of it in the page
    chart = body[body.index('class="chart-drawn"') : body.index('class="chart-interactive"')]
    assert chart.count("<rect x=") == 2 and chart.count('d="M') >= 1
    assert f'<a href="/projects/tasks/{parent.id}"' in chart and "<title>Contract\n" in chart
    assert not re.search(r"<script[^>]*plotly", body) and 'class="chart-interactive"' in body
    assert "Venue &lt;booking&gt;" in body and "<booking>" not in body
    figure = page_figure(client, body)
    assert len(bars_of(figure)) == 2
    table = body[body.index('class="chart-table"') :]
    assert "Contract" in table and "Milestone" in table
    assert (
        "'unsafe-inline'"
        in response.headers["Content-Security-Policy"].split("style-src")[1].split(";")[0]
    )


def test_the_table_says_what_each_task_depends_on_and_which_are_overdue(client, auth, demo):
    project = new_project()
    brief = new_task(project, "Brief & plan", start_date=MON, due_date=MON)
    venue = new_task(project, "Venue", start_date=MON, due_date=MON)
    booth = new_task(project, "Booth", start_date=MON, due_date=MON + timedelta(days=9))
    manager = project.manager
    rules.add_link(db.session.get(Task, booth.id), manager, brief.id, "fs")
    rules.add_link(db.session.get(Task, booth.id), manager, venue.id, "ss", lag=2)
    new_task(project, "Long ago", start_date=date(2020, 1, 6), due_date=date(2020, 1, 7))
    db.session.commit()
    auth.login()
    body = client.get(f"/projects/{project.id}/gantt").get_data(as_text=True)
    rows = re.findall(r"<tr[^>]*>\s*<td class=\"depth-\d\">(.*?)</tr>", body, re.S)
    cells = {re.search(r">([^<]+)</a>", row).group(1): row for row in rows}
    assert set(cells) == {"Brief &amp; plan", "Venue", "Booth", "Long ago"}
    assert '<td data-label="Depends on">Brief &amp; plan (FS); Venue (SS +2)</td>' in cells["Booth"]
    assert "<td></td>" in cells["Venue"]  # depends on nothing
    assert "Overdue" in cells["Long ago"] and "Overdue" not in cells["Booth"]


def test_a_name_with_markup_is_text_in_the_drawn_chart_and_in_the_interactive_one(
    client, auth, demo
):
    project = new_project()
    new_task(project, "Venue <booking>", start_date=MON, due_date=MON)
    auth.login()
    body = client.get(f"/projects/{project.id}/gantt").get_data(as_text=True)
    assert "<booking>" not in body
    assert page_figure(client, body)["layout"]["yaxis"]["ticktext"] == [
        "<b>Venue &lt;booking&gt;</b>"
    ]


def test_filters_and_zoom_are_kept_in_the_url(client, auth, demo):
    project = new_project()
    new_task(project, "Open one", start_date=MON, due_date=MON)
    auth.login()
    body = client.get(f"/projects/{project.id}/gantt?zoom=week&status=done").get_data(as_text=True)
    assert "No tasks to show." in body and "Open one" not in body
    assert f'href="/projects/{project.id}/gantt?status=done&amp;zoom=quarter"' in body
    assert '<input type="hidden" name="zoom" value="week">' in body
    body = client.get(f"/projects/{project.id}/gantt?zoom=week").get_data(as_text=True)
    figure = page_figure(client, body)
    assert figure["layout"]["xaxis"]["dtick"] == DAY_MS
    assert client.get(f"/projects/{project.id}/gantt?zoom=bogus&assignee=x").status_code == 200


def test_the_interactive_figure_comes_from_the_page_s_url_with_its_filters(client, auth, demo):
    project = new_project()
    done = new_task(project, "Done one", start_date=MON, due_date=MON)
    new_task(project, "Open one", start_date=MON, due_date=MON + timedelta(days=30))
    db.session.get(Task, done.id).status = TaskStatus.DONE
    db.session.commit()
    auth.login()
    body = client.get(f"/projects/{project.id}/gantt?status=done&zoom=week").get_data(as_text=True)
    url = figure_url(body)
    assert url == f"/projects/{project.id}/gantt?status=done&zoom=week&figure=gantt"
    figure = page_figure(client, body)
    assert list(bars_of(figure)) == [done.id]  # what the SVG shows, not every task
    assert figure["layout"]["xaxis"]["dtick"] == DAY_MS
    # a big figure comes compressed, as pages do; a chart the page has not is not found
    many = new_project()
    for n in range(40):
        new_task(many, f"Task {n}", start_date=MON, due_date=MON + timedelta(days=n))
    response = client.get(
        f"/projects/{many.id}/gantt?figure=gantt", headers={"Accept-Encoding": "gzip"}
    )
    assert response.headers["Content-Encoding"] == "gzip"
    assert len(bars_of(json.loads(gzip.decompress(response.data)))) == 40
    assert client.get(f"/projects/{project.id}/gantt?figure=portfolio").status_code == 404


def test_outsiders_get_404_and_logged_out_visitors_the_login_page(client, auth, demo):
    project = new_project()
    response = client.get(f"/projects/{project.id}/gantt?zoom=week")
    assert response.status_code == 302
    assert (
        response.headers["Location"]
        == f"/login?next=%2Fprojects%2F{project.id}%2Fgantt%3Fzoom%3Dweek"
    )
    assert client.get(f"/projects/{project.id}/gantt?figure=gantt").status_code == 302
    auth.login("copywriter@demo.local")
    assert client.get(f"/projects/{project.id}/gantt").status_code == 404
    assert client.get(f"/projects/{project.id}/gantt?figure=gantt").status_code == 404
    assert client.get("/projects/999999/gantt").status_code == 404


def test_only_chart_pages_load_plotly_and_relax_styles(client, auth, demo):
    project = new_project()
    auth.login()
    response = client.get(f"/projects/{project.id}/board")
    assert "plotly" not in response.get_data(as_text=True)
    assert "style-src 'self';" in response.headers["Content-Security-Policy"]


def test_plotly_comes_gzipped_from_our_static_files_and_is_cached_for_long(client, app):
    response = client.get(
        "/static/vendor/plotly-basic-4.1.1/plotly-basic.min.js?v=1",
        headers={"Accept-Encoding": "gzip, deflate"},
    )
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]
    assert "max-age=31536000" in response.headers["Cache-Control"]
    assert len(response.data) < 450_000
    assert b"plotly.js (basic" in gzip.decompress(response.data)[:200]
    plain = client.get("/static/vendor/plotly-basic-4.1.1/plotly-basic.min.js?v=1")
    assert "Content-Encoding" not in plain.headers and len(plain.data) > 1_000_000
    plain.close()


# Shared and embedded


def test_a_shared_gantt_shows_the_chart_without_forms_or_links_into_the_app(client, auth, demo):

    project = marketing_project()
    new_task(project, "Booth design", start_date=MON, due_date=MON + timedelta(days=2))
    _, token = share(project, kind="gantt", until=clock.company_today() + timedelta(days=1))
    response = client.get(f"/share/{token}?zoom=week")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Booth design" in body and "Read-only view" in body
    assert '<svg class="chart-svg' in body and not re.search(r"<script[^>]*plotly", body)
    assert_reveals_nothing(response)
    figure = page_figure(client, body)
    (bars,) = trace(figure, "bar")
    assert bars["customdata"] == [""]  # a click leads nowhere
    chart = body[body.index('class="chart-drawn"') : body.index('class="chart-interactive"')]
    assert "/projects/" not in body and "<a " not in chart and "<rect " in chart
    assert f'href="/share/{token}"' in body  # the zooms stay on the share link
    assert f'href="/share/{token}?zoom=quarter"' in body
    assert "'unsafe-inline'" in response.headers["Content-Security-Policy"]


def test_a_shared_gantt_s_figure_needs_its_own_token_and_no_login(client, auth, demo):
    project = marketing_project()
    new_task(project, "Booth design", start_date=MON, due_date=MON + timedelta(days=2))
    other = marketing_project(name="Other launch")
    new_task(other, "Press kit", start_date=MON, due_date=MON)
    until = clock.company_today() + timedelta(days=1)
    link, token = share(project, kind="gantt", until=until)
    _, other_token = share(other, kind="gantt", until=until)
    body = client.get(f"/share/{token}?zoom=week").get_data(as_text=True)
    assert figure_url(body) == f"/share/{token}?zoom=week&figure=gantt"
    figure = page_figure(client, body)
    assert "Booth design" in str(figure) and "Press kit" not in str(figure)
    other_figure = client.get(f"/share/{other_token}?figure=gantt").get_json()
    assert "Press kit" in str(other_figure) and "Booth design" not in str(other_figure)
    assert client.get(f"/share/{token[:-1]}x?figure=gantt").status_code == 404
    share_links.revoke(user("marketer@demo.local"), link, clock.now())
    db.session.commit()
    assert client.get(f"/share/{token}?figure=gantt").status_code == 404


def test_an_embedded_gantt_has_no_navigation_and_may_be_framed_by_the_intranet(
    app, client, auth, demo
):
    app.config["MKFLOW_EMBED_ORIGINS"] = ("https://intranet.example",)
    project = new_project()
    new_task(project, "Venue", start_date=MON, due_date=MON)
    auth.login()
    embedded = client.get(f"/projects/{project.id}/gantt?embed=1")
    body = embedded.get_data(as_text=True)
    assert 'class="topbar"' not in body and "Venue" in body
    assert f'href="/projects/{project.id}/gantt?zoom=week&amp;embed=1"' in body
    assert "frame-ancestors https://intranet.example" in embedded.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in embedded.headers
    page = client.get(f"/projects/{project.id}/gantt")
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"


def test_a_share_link_keeps_working_when_the_project_s_settings_change(client, auth, demo):

    project = marketing_project()
    new_task(project, "Booth design", start_date=MON, due_date=MON)
    _, token = share(project, kind="gantt", until=clock.company_today() + timedelta(days=1))
    assert client.get(f"/share/{token}").status_code == 200
    data = project_rules.ProjectData(
        name="Renamed expo", start_date=MON, manager=user("head@demo.local"), auto_schedule=False
    )
    project_rules.update_project(project, user("marketer@demo.local"), data)
    db.session.commit()
    body = client.get(f"/share/{token}").get_data(as_text=True)
    assert "Renamed expo" in body and "Booth design" in body


def test_a_cached_script_is_revalidated_with_a_304(client):
    url = "/static/vendor/plotly-basic-4.1.1/plotly-basic.min.js?v=1"
    first = client.get(url, headers={"Accept-Encoding": "gzip"})
    etag = first.headers["ETag"]
    again = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""


def test_a_gantt_rendered_once_shows_every_later_change(client, auth, demo, monkeypatch):
    """The chart and table are kept rendered (web.fragments) under what they were made
    of: each kind of change, and another day or language, must show at once."""
    project = new_project()
    brief = new_task(project, "Brief", start_date=MON, due_date=MON + timedelta(days=1))
    venue = new_task(project, "Venue", start_date=MON, due_date=MON + timedelta(days=2))
    add_people(project, "designer@demo.local")
    manager = project.manager
    auth.login()
    url = f"/projects/{project.id}/gantt"

    def table() -> str:
        response = client.get(url)
        body = response.get_data(as_text=True)
        assert response.status_code == 200, (response.status_code, response.location)
        return body[body.index('class="chart-table"') :]

    kept = FragmentCache()
    monkeypatch.setattr(chart_routes, "gantt_bodies", kept)
    assert "Brief" in table() and "Brief" in table() and len(kept) == 1  # rendered once
    rules.update_task(
        db.session.get(Task, brief.id),
        manager,
        TaskData(title="Creative brief", start_date=MON, due_date=MON + timedelta(days=1)),
    )
    db.session.commit()
    assert "Creative brief" in table()
    rules.add_link(db.session.get(Task, venue.id), manager, brief.id, "fs")
    db.session.commit()
    assert (
        '<td data-label="Depends on">Creative brief (FS)</td>' in table()
    )  # and Venue moved after the brief
    moved = db.session.get(Task, venue.id)
    assert moved.start_date > MON + timedelta(days=1)
    rules.update_task(
        db.session.get(Task, venue.id),
        manager,
        TaskData(
            title="Venue",
            assignee=user("designer@demo.local"),
            start_date=moved.start_date,
            due_date=moved.due_date,
        ),
    )
    db.session.commit()
    user("designer@demo.local").name = "Daria Renamed"
    db.session.commit()
    assert "Daria Renamed" in table()
    tomorrow = clock.company_today() + timedelta(days=1)
    new_task(project, "Print", start_date=tomorrow, due_date=tomorrow)
    assert "Overdue" not in table()
    with clock.stopped_at(clock.now() + timedelta(days=2)):
        assert "Overdue" in table()
    client.post("/language", data={"locale": "ru", "next": url})
    assert "Исполнитель" in table()
    rules.delete_task(db.session.get(Task, brief.id), manager)
    db.session.commit()
    assert "Creative brief" not in table() and "Venue" in table()
