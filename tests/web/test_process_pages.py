"""Process pages as a user meets them: the list, starting an item, the board with its in-place
actions, My work, the item page with manager actions, comments, watchers and notifications."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select
from support import at_every_moment, board_url, launch_article, oob_pieces, template, user
from support import board_column as column

from mkflow.activity import discussion
from mkflow.core import clock
from mkflow.core.database import db
from mkflow.models import (
    Comment,
    Department,
    Event,
    InstanceState,
    Notification,
    ProcessInstance,
    Visibility,
    Watcher,
)
from mkflow.processes import engine

HTMX = {"HX-Request": "true"}
ARTICLE_STAGES = ["brief", "copy", "copy_review", "design", "design_review", "ready", "published"]
BRIEF_DONE = ("complete", {"brief": "Audience: sales directors."})
COPY_DONE = ("complete", {"text": "https://docs.demo.local/crm-guide"})


# --- helpers ------------------------------------------------------------------------------


def text(response) -> str:
    return response.get_data(as_text=True)


def item(item_id: int) -> ProcessInstance:
    """The item as stored now (not as this test's session last saw it)."""
    db.session.expire_all()
    return db.session.get(ProcessInstance, item_id)


def items_count() -> int:
    return db.session.scalar(select(func.count()).select_from(ProcessInstance))


def events_of(item_id: int) -> list[str]:
    db.session.expire_all()
    query = select(Event.kind).where(Event.instance_id == item_id).order_by(Event.id)
    return list(db.session.scalars(query))


def assert_untouched(item_id: int, history) -> None:
    """The refused manager action left the item with the copywriter, at the copy stage."""
    stored = item(item_id)
    assert (stored.stage.key, stored.assignee.email, stored.state) == (
        "copy",
        "copywriter@demo.local",
        InstanceState.ACTIVE,
    )
    assert events_of(item_id) == history


def advance(item_id: int, *steps) -> ProcessInstance:
    """Act on the item as whoever holds it, step by step: (action, field values) pairs."""
    for action, values in steps:
        current = item(item_id)
        engine.act(current, current.assignee, action, expected_version=None, values=values)
        db.session.commit()
    return item(item_id)


def close_department(slug: str) -> None:
    department = db.session.scalar(select(Department).where(Department.slug == slug))
    department.visibility = Visibility.DEPARTMENT
    db.session.commit()


def added_to(html: str, key: str) -> str:
    """What an htmx answer adds to a column's card list (up to the next out-of-band piece)."""
    match = re.search(rf'hx-swap-oob="(beforeend|afterbegin):#cards-{re.escape(key)}"', html)
    assert match, f"nothing added to {key}"
    following = html.find("hx-swap-oob=", match.end())
    return html[match.end() : following if following != -1 else len(html)]


def column_count(html: str, key: str) -> int:
    return int(re.search(r'<span class="count"[^>]*>(\d+)</span>', column(html, key)).group(1))


def card_titles(html: str) -> list[str]:
    return re.findall(r'class="card-title" href="[^"]+">([^<]+)</a>', html)


def act(
    client,
    item_id: int,
    action: str = "complete",
    *,
    origin="board",
    htmx=True,
    version=None,
    **data,
):
    """Post a stage action as the board, My work or the item page would."""
    form = {"action": action, "from": origin, "version": version or item(item_id).lock_version}
    form |= data
    return client.post(f"/instances/{item_id}/act", data=form, headers=HTMX if htmx else None)


def manage(client, item_id: int, action: str, **data):
    return client.post(f"/instances/{item_id}/{action}", data=data)


def watchers_list(html: str) -> str:
    match = re.search(r'id="watchers".*?<ul class="plain-list">(.*?)</ul>', html, re.S)
    return match.group(1)


def bell_count(html: str) -> int:
    bell = re.search(r'<a id="bell".*?</a>', html, re.S).group(0)
    match = re.search(r'<span class="count" title="Unread">(\d+)</span>', bell)
    return int(match.group(1)) if match else 0


def start_form(**changes) -> dict:
    """A valid start form for the article process: title, topic and both roles."""
    return {
        "title": "CRM guide",
        "field-topic": "Comparing CRMs",
        "field-channel": "Habr",
        "role-0": user("marketer@demo.local").id,
        "role-1": user("copywriter@demo.local").id,
        "role-2": user("head@demo.local").id,
        "deadline": "",
        "publish_on": "",
    } | changes


# --- the list of processes and who sees what --------------------------------------------


def test_process_list_shows_the_visible_templates(client, auth, processes):
    auth.login("sales@demo.local")
    page = text(client.get("/processes"))
    for name in ("Article publication", "Article publication with SEO", "Press release"):
        assert name in page
    assert f'href="/processes/{template("article").id}/board"' in page


@at_every_moment
def test_process_list_counts_active_and_overdue_items(client, auth, processes):
    late = launch_article("Late one")
    launch_article("On time")
    item(late.id).stage_due_at = clock.now() - timedelta(days=1)
    db.session.commit()
    auth.login("marketer@demo.local")
    page = text(client.get("/processes"))
    article = template("article").id
    card = re.search(rf'<section class="card process-card tpl-{article}">.*?</section>', page, re.S)
    card = card.group(0)
    assert "2 active items" in card and "1 overdue" in card


def test_list_and_board_offer_editing_only_to_managers(client, auth, processes):
    article = template("article").id
    auth.login("marketer@demo.local")
    assert "New process" not in text(client.get("/processes"))
    assert f'href="/processes/{article}/edit"' not in text(client.get(board_url()))
    auth.logout()
    auth.login("head@demo.local")
    assert "New process" in text(client.get("/processes"))
    assert f'href="/processes/{article}/edit"' in text(client.get(board_url()))


def test_closed_department_hides_its_processes_from_other_departments(client, auth, processes):
    close_department("marketing")
    auth.login("sales@demo.local")
    page = text(client.get("/processes"))
    assert "Article publication" not in page
    assert "No processes yet." in page


def test_closed_department_board_start_and_items_are_404_for_outsiders(client, auth, processes):
    launched = launch_article()
    close_department("marketing")
    auth.login("sales@demo.local")
    article = template("article").id
    for url in (
        f"/processes/{article}/board",
        f"/processes/{article}/start",
        f"/processes/{article}/finished",
        f"/instances/{launched.id}",
    ):
        assert client.get(url).status_code == 404, url
    assert act(client, launched.id).status_code == 404
    assert client.post(f"/processes/{article}/start", data=start_form()).status_code == 404
    assert items_count() == 1


def test_closed_department_is_still_open_to_its_head(client, auth, processes):
    launched = launch_article()
    close_department("marketing")
    auth.login("head@demo.local")
    assert "Article publication" in text(client.get("/processes"))
    assert "CRM guide" in text(client.get(board_url()))
    assert client.get(f"/instances/{launched.id}").status_code == 200


def test_a_watcher_from_another_department_can_open_the_item(client, auth, processes):
    launched = launch_article()
    close_department("marketing")
    auth.login("head@demo.local")
    client.post(f"/instances/{launched.id}/watchers", data={"user_id": user("sales@demo.local").id})
    auth.logout()
    auth.login("sales@demo.local")
    response = client.get(f"/instances/{launched.id}")
    assert response.status_code == 200
    assert "CRM guide" in text(response)
    assert client.get(board_url()).status_code == 404


def test_someone_elses_watch_does_not_open_a_closed_item_to_a_user_without_department(
    client, auth, processes
):
    launched = launch_article()
    close_department("marketing")
    outsider = user("lawyer@demo.local")
    outsider.department_id = None
    db.session.commit()
    auth.login("head@demo.local")
    client.post(f"/instances/{launched.id}/watchers", data={"user_id": user("pr@demo.local").id})
    auth.logout()
    auth.login("lawyer@demo.local")
    assert client.get(board_url()).status_code == 404
    assert client.get(f"/instances/{launched.id}").status_code == 404


def test_anonymous_visitor_is_sent_to_login(client, processes):
    for url in ("/processes", board_url(), f"/processes/{template('article').id}/start"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/login" in response.location


# --- starting an item -------------------------------------------------------------------


def test_start_form_shows_launch_fields_and_role_selects(client, auth, processes):
    auth.login("head@demo.local")
    page = text(client.get(f"/processes/{template('article').id}/start"))
    assert "Start “Article publication”" in page
    assert 'name="title"' in page
    assert 'name="field-topic"' in page and "Topic and goal" in page
    assert 'name="field-channel"' in page and "<option selected>Company blog</option>" in page
    assert 'name="field-brief"' not in page  # asked at its stage, not at start
    assert '<label for="role-0">Marketer' in page and '<label for="role-1">Copywriter' in page
    assert 'name="deadline"' in page and 'name="publish_on"' in page


def test_start_creates_the_item_with_the_marketer_at_the_brief(client, auth, processes):
    auth.login("head@demo.local")
    article = template("article")
    response = client.post(
        f"/processes/{article.id}/start",
        data=start_form(deadline="2031-03-01", publish_on="2031-03-05"),
    )
    assert response.status_code == 302
    assert response.location == f"/processes/{article.id}/board"
    board = text(client.get(response.location))
    assert "“CRM guide” started: it is with Olga Lebedeva at “Content brief and deadline”." in board
    assert "CRM guide" in column(board, "brief")
    created = db.session.scalar(select(ProcessInstance))
    assert created.stage.key == "brief"
    assert created.assignee.email == "marketer@demo.local"
    assert created.values["topic"] == "Comparing CRMs" and created.values["channel"] == "Habr"
    assert str(created.deadline) == "2031-03-01" and str(created.publish_on) == "2031-03-05"
    assert created.version.number == 1


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"title": "  "}, "Give the item a title."),
        ({"field-topic": ""}, "Fill in “Topic and goal”."),
        ({"role-1": ""}, "Choose who will be “Copywriter”."),
        ({"deadline": "next friday"}, "Deadline must be a date (YYYY-MM-DD) between 2000 and"),
        ({"deadline": "9999-12-31"}, "Deadline must be a date (YYYY-MM-DD) between 2000 and"),
        ({"publish_on": "2031-13-40"}, "Publication date must be a date (YYYY-MM-DD) between"),
        (
            {"deadline": "2031-03-05", "publish_on": "2031-03-01"},
            "The publication date cannot be before the deadline.",
        ),
        ({"field-channel": "Radio"}, "“Channel”: choose one of the options."),
    ],
)
def test_start_refuses_bad_input_and_creates_nothing(client, auth, processes, changes, message):
    auth.login("head@demo.local")
    response = client.post(
        f"/processes/{template('article').id}/start",
        data=start_form(**({"title": "Kept title"} | changes)),
    )
    assert response.status_code == 422
    page = text(response)
    assert message in page
    assert 'name="title"' in page  # the form is shown again, filled in
    assert items_count() == 0


def test_start_refused_keeps_what_was_typed(client, auth, processes):
    auth.login("head@demo.local")
    response = client.post(
        f"/processes/{template('article').id}/start",
        data=start_form(title="Kept title", **{"role-1": ""}),
    )
    page = text(response)
    assert 'value="Kept title"' in page
    assert "Comparing CRMs" in page
    marketer = user("marketer@demo.local").id
    assert f'<option value="{marketer}" selected>' in page


# --- the board --------------------------------------------------------------------------


def test_board_shows_columns_in_stage_order_with_counts(client, auth, processes):
    launch_article("First")
    launch_article("Second")
    advance(launch_article("Third").id, BRIEF_DONE)
    auth.login("head@demo.local")
    page = text(client.get(board_url()))
    assert re.findall(r'<section class="column[^"]*" id="col-([^"]+)"', page) == ARTICLE_STAGES
    assert column_count(page, "brief") == 2
    assert column_count(page, "copy") == 1
    assert column_count(page, "design") == 0
    assert {"First", "Second"} == set(card_titles(column(page, "brief")))
    assert card_titles(column(page, "copy")) == ["Third"]


def test_board_filter_mine_shows_only_my_cards_and_stays_checked(client, auth, processes):
    launch_article("At the brief")
    advance(launch_article("At the copy").id, BRIEF_DONE)
    auth.login("copywriter@demo.local")
    page = text(client.get(board_url(mine=1)))
    assert card_titles(page) == ["At the copy"]
    assert 'name="mine" value="1" checked' in page
    assert "Reset" in page


@at_every_moment
def test_board_filter_overdue_shows_only_late_cards(client, auth, processes):
    late = launch_article("Late one")
    launch_article("On time")
    stored = item(late.id)
    stored.stage_due_at = clock.now() - timedelta(days=1)
    db.session.commit()
    auth.login("head@demo.local")
    page = text(client.get(board_url(overdue=1)))
    assert card_titles(page) == ["Late one"]
    assert 'name="overdue" value="1" checked' in page
    assert "1 overdue" in column(page, "brief")


def test_board_filter_by_assignee_keeps_the_person_selected(client, auth, processes):
    launch_article("At the brief")
    advance(launch_article("At the copy").id, BRIEF_DONE)
    copywriter = user("copywriter@demo.local").id
    auth.login("head@demo.local")
    page = text(client.get(board_url(assignee=copywriter)))
    assert card_titles(page) == ["At the copy"]
    assert f'<option value="{copywriter}" selected>Dmitry Volkov</option>' in page


def test_board_search_narrows_by_title_and_keeps_the_text(client, auth, processes):
    launch_article("CRM guide")
    launch_article("ERP mistakes")
    auth.login("head@demo.local")
    page = text(client.get(board_url(q="crm")))
    assert card_titles(page) == ["CRM guide"]
    assert 'name="q" value="crm"' in page


def test_board_of_unknown_template_is_404(client, auth, processes):
    auth.login("head@demo.local")
    assert client.get("/processes/99999/board").status_code == 404


@at_every_moment
def test_board_shows_finished_items_in_the_final_column(client, auth, demo_items):
    auth.login("head@demo.local")
    page = text(client.get(board_url()))
    assert "10 mistakes when rolling out an ERP" in column(page, "published")
    assert column_count(page, "published") >= 1


# --- acting on a card -------------------------------------------------------------------


def test_completing_without_the_required_field_is_refused(client, auth, processes):
    launched = launch_article()
    auth.login("marketer@demo.local")
    response = act(client, launched.id)
    assert 400 <= response.status_code < 500
    assert "Fill in first: Content brief." in text(response)
    stored = item(launched.id)
    assert stored.stage.key == "brief" and stored.lock_version == launched.lock_version
    # from the board and from My work, the message leads to the field on the item's page
    for origin in ("board", "me"):
        live = text(act(client, launched.id, origin=origin))
        live = live[live.index('id="live-message"') :]
        assert (
            f'<a href="/instances/{launched.id}#input-field-brief">Fill it in on the item' in live
        )
    page = text(client.get(f"/instances/{launched.id}"))
    assert 'id="input-field-brief"' in page  # where the link leads


def test_completing_from_the_board_with_fields_moves_the_card(client, auth, processes):
    launched = launch_article()
    auth.login("marketer@demo.local")
    response = act(client, launched.id, with_fields="1", **{"field-brief": "Audience: CTOs."})
    assert response.status_code == 200
    page = text(response)
    assert "<html" not in page
    assert f'<li id="card-{launched.id}" hx-swap-oob="delete"></li>' in page
    assert "CRM guide" in added_to(page, "copy")
    assert re.search(r'<header class="column-head" id="colhead-brief" hx-swap-oob="true"', page)
    assert re.search(r'<header class="column-head" id="colhead-copy" hx-swap-oob="true"', page)
    assert "colhead-design" not in page  # untouched columns are not sent
    live = re.search(r'<div id="live-message"[^>]*hx-swap-oob="innerHTML">(.*?)</div>', page, re.S)
    assert "Done: “CRM guide” is now with Dmitry Volkov at “Writing”." in live.group(1)
    assert re.search(r'<span id="work-count"[^>]*hx-swap-oob="true"', page)
    stored = item(launched.id)
    assert stored.stage.key == "copy"
    assert stored.assignee.email == "copywriter@demo.local"
    assert stored.values["brief"] == "Audience: CTOs."


def test_a_stage_action_answers_with_only_the_card_two_column_heads_and_the_counters(
    client, auth, processes
):
    launched, other = launch_article(), launch_article("Another guide")
    auth.login("marketer@demo.local")
    response = act(client, launched.id, with_fields="1", **{"field-brief": "Audience: CTOs."})
    assert response.status_code == 200
    assert len(response.data) < 5000, len(response.data)
    page = text(response)
    assert 'id="board"' not in page and f"card-{other.id}" not in page
    assert oob_pieces(page) == [
        (f"card-{launched.id}", "delete"),
        ("", "beforeend:#cards-copy"),
        ("colhead-brief", "true"),
        ("colhead-copy", "true"),
        ("live-message", "innerHTML"),
        ("work-count", "true"),
        ("bell", "true"),
    ]
    assert re.search(
        rf'<li class="card-item[^"]*" id="card-{launched.id}">', added_to(page, "copy")
    )
    counts = dict(re.findall(r'id="colhead-(\w+)".*?<span class="count"[^>]*>(\d+)<', page, re.S))
    assert counts == {"brief": "1", "copy": "1"}


def test_card_texts_are_escaped_on_the_board_my_work_and_the_answer(client, auth, processes):
    title = 'Guide <script>alert("x")</script> & more'
    launched = launch_article(title)
    auth.login("marketer@demo.local")
    escaped = "Guide &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; more"
    pages = [text(client.get(board_url())), text(client.get("/me"))]
    pages.append(text(act(client, launched.id, "complete", origin="me")))  # refused: the row
    for page in pages:
        assert escaped in page and "<script>alert" not in page


def test_the_same_card_partial_prints_the_board_my_work_and_the_answer(client, auth, processes):
    launched = launch_article()
    auth.login("marketer@demo.local")
    board_page, my_work = text(client.get(board_url())), text(client.get("/me"))

    def form_of(html: str, kind: str) -> str:
        card = re.search(rf'<li class="{kind}[^"]*" id="\w+-{launched.id}".*?</li>', html, re.S)
        form = re.search(r"<form.*?</form>", card.group(0), re.S).group(0)
        return re.sub(r'name="csrf_token" value="[^"]*"', "", form)  # signed with the second

    # The same form (but for where it came from) and the same texts on both pages.
    on_board, on_my_work = form_of(board_page, "card-item"), form_of(my_work, "work-item")
    assert on_board == on_my_work.replace('value="me"', 'value="board"')
    assert f'action="/instances/{launched.id}/act"' in on_board and 'hx-boost="true"' in on_board
    assert f'<a class="card-title" href="/instances/{launched.id}">CRM guide</a>' in board_page
    assert f'<a class="card-title" href="/instances/{launched.id}">CRM guide</a>' in my_work
    response = act(client, launched.id, "complete", origin="me", version=launched.lock_version)
    assert response.status_code == 400  # the brief is required: refused, the row as it is
    assert form_of(text(response), "work-item") == on_my_work


def test_board_answer_respects_the_board_filters(client, auth, processes):
    launched = launch_article("CRM guide")
    advance(launch_article("ERP mistakes").id, BRIEF_DONE)
    auth.login("marketer@demo.local")
    response = act(
        client, launched.id, with_fields="1", q="crm", **{"field-brief": "Audience: CTOs."}
    )
    page = text(response)
    assert "CRM guide" in added_to(page, "copy")
    assert "ERP mistakes" not in page


def test_plain_post_redirects_and_flashes_the_result(client, auth, processes):
    launched = launch_article()
    auth.login("marketer@demo.local")
    response = act(
        client,
        launched.id,
        htmx=False,
        origin="instance",
        with_fields="1",
        **{"field-brief": "Audience: CTOs."},
    )
    assert response.status_code == 302
    assert response.location == f"/instances/{launched.id}"
    page = text(client.get(response.location))
    assert "Done: “CRM guide” is now with Dmitry Volkov at “Writing”." in page
    assert item(launched.id).stage.key == "copy"


def test_stale_version_is_a_conflict_and_changes_nothing(client, auth, processes):
    launched = launch_article()
    stale = launched.lock_version
    advance(launched.id, ("complete", {"brief": "Written elsewhere."}))
    before = item(launched.id)
    auth.login("copywriter@demo.local")
    response = act(
        client,
        launched.id,
        version=stale,
        with_fields="1",
        **{"field-text": "https://docs.demo.local/x"},
    )
    assert response.status_code == 409
    assert "moved on" in text(response)
    after = item(launched.id)
    assert (after.stage.key, after.lock_version) == ("copy", before.lock_version)
    assert "text" not in after.values


def test_stale_version_without_htmx_shows_the_item_with_the_conflict(client, auth, processes):
    launched = launch_article()
    stale = launched.lock_version
    advance(launched.id, BRIEF_DONE)
    auth.login("copywriter@demo.local")
    response = act(client, launched.id, version=stale, htmx=False, origin="instance")
    assert response.status_code == 409
    page = text(response)
    assert "moved on" in page and "<h1>CRM guide</h1>" in page
    assert item(launched.id).stage.key == "copy"


def test_someone_else_cannot_act_on_the_item(client, auth, processes):
    launched = launch_article()
    auth.login("designer@demo.local")
    response = act(client, launched.id, with_fields="1", **{"field-brief": "Hijacked."})
    assert response.status_code == 403
    assert "This step is not yours: Olga Lebedeva has the item now." in text(response)
    stored = item(launched.id)
    assert stored.stage.key == "brief" and "brief" not in stored.values


def test_reject_needs_a_comment(client, auth, processes):
    launched = launch_article()
    advance(launched.id, BRIEF_DONE, COPY_DONE)
    auth.login("marketer@demo.local")
    response = act(client, launched.id, "reject", comment="   ")
    assert 400 <= response.status_code < 500
    assert "Say what to fix: a rejection needs a comment." in text(response)
    stored = item(launched.id)
    assert stored.stage.key == "copy_review" and stored.rework_count == 0


def test_reject_with_a_comment_returns_the_work_to_the_copywriter(client, auth, processes):
    launched = launch_article()
    advance(launched.id, BRIEF_DONE, COPY_DONE)
    auth.login("marketer@demo.local")
    response = act(client, launched.id, "reject", comment="Add the pricing table.")
    assert response.status_code == 200
    page = text(response)
    assert "Returned for rework: “CRM guide” is back with Dmitry Volkov at “Writing”." in page
    assert "CRM guide" in added_to(page, "copy")
    stored = item(launched.id)
    assert stored.stage.key == "copy"
    assert stored.assignee.email == "copywriter@demo.local"
    assert stored.rework_count == 1


def rejected_copy(client, auth):
    """An article whose copy the marketer sent back ("Add the pricing table."), with the
    copywriter logged in."""
    launched = launch_article()
    advance(launched.id, BRIEF_DONE, COPY_DONE)
    auth.login("marketer@demo.local")
    act(client, launched.id, "reject", comment="Add the pricing table.")
    auth.logout()
    auth.login("copywriter@demo.local")
    return launched


def test_the_copywriter_sees_the_returned_notification_with_the_comment(client, auth, processes):
    rejected_copy(client, auth)
    expected = "Olga Lebedeva returned “CRM guide” to you for rework."
    for url in ("/me", "/notifications"):
        page = text(client.get(url))
        assert expected in page, url
        assert "<blockquote>Add the pricing table.</blockquote>" in page, url


def test_the_copywriter_s_step_opens_with_the_reason_it_came_back_and_who_sent_it(
    client, auth, processes
):
    launched = rejected_copy(client, auth)
    page = text(client.get(f"/instances/{launched.id}"))
    step = page[
        page.index('id="now-title"') : page.index("</section>", page.index('id="now-title"'))
    ]
    assert "Sent back for rework by Olga Lebedeva" in step
    assert "<blockquote>Add the pricing table.</blockquote>" in step
    # once handed on again, the next stage does not carry the old reason
    fields = {"with_fields": "1", "field-text": "https://docs.demo.local/crm-guide-2"}
    act(client, launched.id, "complete", origin="instance", htmx=False, **fields)
    assert item(launched.id).stage.key == "copy_review"
    auth.logout()
    auth.login("marketer@demo.local")
    page = text(client.get(f"/instances/{launched.id}"))
    assert "Sent back for rework" not in page


def test_publishing_from_the_board_moves_the_card_to_the_final_column(client, auth, processes):
    launched = advance(
        launch_article().id,
        BRIEF_DONE,
        COPY_DONE,
        ("approve", None),
        ("complete", {"layout": "https://docs.demo.local/layout"}),
        ("approve", None),
    )
    auth.login("marketer@demo.local")
    response = act(client, launched.id, "publish")
    assert response.status_code == 200
    page = text(response)
    assert "“CRM guide” is finished: Published." in page
    assert f'<li id="card-{launched.id}" hx-swap-oob="delete"></li>' in page
    assert "CRM guide" in added_to(page, "published")
    stored = item(launched.id)
    assert stored.state == InstanceState.DONE and stored.assignee is None


def test_saving_fields_without_handing_on(client, auth, processes):
    launched = launch_article()
    auth.login("marketer@demo.local")
    response = client.post(
        f"/instances/{launched.id}/fields",
        data={"version": launched.lock_version, "field-brief": "Draft of the brief."},
    )
    assert response.status_code == 302
    page = text(client.get(response.location))
    assert "Saved." in page and "Draft of the brief." in page
    stored = item(launched.id)
    assert stored.stage.key == "brief" and stored.values["brief"] == "Draft of the brief."
    assert events_of(launched.id)[-1] == "fields"


def test_saving_a_bad_link_is_refused(client, auth, processes):
    launched = advance(launch_article().id, BRIEF_DONE)
    auth.login("copywriter@demo.local")
    response = client.post(
        f"/instances/{launched.id}/fields",
        data={"version": item(launched.id).lock_version, "field-text": "docs/crm-guide"},
    )
    assert 400 <= response.status_code < 500
    assert "“Article text (link to the document)” must be a link starting with https://." in text(
        response
    )
    assert "text" not in item(launched.id).values


# --- My work ----------------------------------------------------------------------------


@at_every_moment
def test_my_work_lists_my_items_most_urgent_first_with_actions(client, auth, processes):
    now = clock.now()
    undated = launch_article("No due date")
    later = launch_article("Due later")
    soon = launch_article("Due soon")
    someone_elses = advance(launch_article("Someone else's").id, BRIEF_DONE)
    for item_id, due in (
        (undated.id, None),
        (later.id, now + timedelta(days=5)),
        (soon.id, now + timedelta(days=1)),
    ):
        item(item_id).stage_due_at = due
        db.session.commit()
    auth.login("marketer@demo.local")
    page = text(client.get("/me"))
    rows = re.findall(r'<li class="work-item[^"]*" id="work-(\d+)"', page)
    assert rows == [str(soon.id), str(later.id), str(undated.id)]
    assert f'id="work-{someone_elses.id}"' not in page
    assert page.count('value="complete">Complete and hand off</button>') == 3


def test_acting_from_my_work_removes_the_row_when_the_item_moves_on(client, auth, processes):
    launched = launch_article()
    auth.login("marketer@demo.local")
    response = act(
        client, launched.id, origin="me", with_fields="1", **{"field-brief": "Audience: CTOs."}
    )
    assert response.status_code == 200
    page = text(response)
    assert f'<li id="work-{launched.id}" hx-swap-oob="delete"></li>' in page
    assert "Done: “CRM guide” is now with Dmitry Volkov at “Writing”." in page
    assert 'id="col-' not in page
    assert item(launched.id).stage.key == "copy"


def test_acting_from_my_work_refreshes_the_row_when_the_item_stays_mine(client, auth, processes):
    launched = launch_article()
    advance(
        launched.id,
        BRIEF_DONE,
        COPY_DONE,
        ("approve", None),
        ("complete", {"layout": "https://docs.demo.local/layout"}),
    )
    auth.login("marketer@demo.local")
    response = act(client, launched.id, "approve", origin="me")
    page = text(response)
    assert re.search(
        rf'<li class="work-item[^"]*" id="work-{launched.id}" hx-swap-oob="true"', page
    )
    assert "Ready to publish" in page and 'value="publish"' in page
    assert 'hx-swap-oob="delete"' not in page


# --- the item page ----------------------------------------------------------------------


def test_item_page_shows_fields_path_history_and_the_action_for_the_assignee(
    client, auth, processes
):
    launched = launch_article()
    advance(launched.id, BRIEF_DONE)
    auth.login("copywriter@demo.local")
    page = text(client.get(f"/instances/{launched.id}"))
    assert "<dt>Topic and goal</dt>" in page and "Comparing CRMs" in page
    assert "Audience: sales directors." in page
    names = re.findall(r'<span class="path-name">([^<]+)</span>', page)
    assert names[:3] == ["Content brief and deadline", "Writing", "Text approval"]
    assert len(names) == len(ARTICLE_STAGES)
    assert re.search(r'is-done">\s*<span class="path-name">Content brief and deadline', page)
    assert re.search(r'is-current">\s*<span class="path-name">Writing', page)
    assert "started the item" in page and "completed the stage" in page
    assert "Your step: Writing" in page
    assert 'name="field-text"' in page
    assert "version 1" in page


def test_item_page_shows_rework_on_the_path_and_in_history(client, auth, processes):
    launched = advance(launch_article().id, BRIEF_DONE, COPY_DONE)
    auth.login("marketer@demo.local")
    act(client, launched.id, "reject", comment="Add the pricing table.")
    page = text(client.get(f"/instances/{launched.id}"))
    writing = re.search(r'path-name">Writing</span>.*?</li>', page, re.S).group(0)
    assert "×2" in writing
    assert "returned it for rework" in page
    assert "<blockquote>Add the pricing table.</blockquote>" in page
    assert "<dt>Rework</dt><dd>1</dd>" in page


def test_item_page_has_no_action_panel_for_others(client, auth, processes):
    launched = launch_article()
    auth.login("copywriter@demo.local")
    page = text(client.get(f"/instances/{launched.id}"))
    assert "Your step" not in page
    assert "Olga Lebedeva has this item now, at “Content brief and deadline”." in page
    assert f'action="/instances/{launched.id}/act"' not in page


@pytest.mark.parametrize("email", ["head@demo.local", "admin@demo.local"])
def test_manager_actions_are_shown_to_the_head_and_the_admin(client, auth, processes, email):
    launched = launch_article()
    auth.login(email)
    page = text(client.get(f"/instances/{launched.id}"))
    assert "Reassign" in page and "Cancel the item" in page


@pytest.mark.parametrize("email", ["marketer@demo.local", "copywriter@demo.local"])
def test_manager_actions_are_hidden_from_members(client, auth, processes, email):
    launched = launch_article()
    auth.login(email)
    page = text(client.get(f"/instances/{launched.id}"))
    assert "Reassign" not in page and "Cancel the item" not in page


@pytest.mark.parametrize(
    "action, data",
    [("reassign", {"user_id": "designer"}), ("move_back", {"stage_key": "brief"}), ("cancel", {})],
)
def test_manager_actions_need_a_comment(client, auth, processes, action, data):
    launched = advance(launch_article().id, BRIEF_DONE)
    history = events_of(launched.id)
    data = {k: (user(f"{v}@demo.local").id if k == "user_id" else v) for k, v in data.items()}
    auth.login("head@demo.local")
    response = manage(client, launched.id, action, comment=" ", **data)
    assert 400 <= response.status_code < 500
    assert "Add a comment: say why." in text(response)
    assert_untouched(launched.id, history)


def test_head_reassigns_with_a_comment(client, auth, processes):
    launched = launch_article()
    auth.login("head@demo.local")
    response = manage(
        client,
        launched.id,
        "reassign",
        user_id=user("designer@demo.local").id,
        comment="Olga is on leave.",
    )
    assert response.status_code == 302
    page = text(client.get(response.location))
    assert "“CRM guide” is now with Anna Novikova at “Content brief and deadline”." in page
    assert "Olga is on leave." in page
    assert item(launched.id).assignee.email == "designer@demo.local"
    assert events_of(launched.id)[-1] == "reassigned"


def test_admin_moves_the_item_back_with_a_comment(client, auth, processes):
    launched = advance(launch_article().id, BRIEF_DONE, COPY_DONE)
    auth.login("admin@demo.local")
    response = manage(
        client,
        launched.id,
        "move_back",
        stage_key="brief",
        comment="The brief needs the new pricing.",
    )
    assert response.status_code == 302
    stored = item(launched.id)
    assert stored.stage.key == "brief" and stored.assignee.email == "marketer@demo.local"
    assert events_of(launched.id)[-1] == "moved_back"
    page = text(client.get(f"/instances/{launched.id}"))
    assert "moved it back" in page and "The brief needs the new pricing." in page


def test_move_back_refuses_a_later_stage(client, auth, processes):
    launched = advance(launch_article().id, BRIEF_DONE)
    auth.login("head@demo.local")
    response = manage(client, launched.id, "move_back", stage_key="design", comment="Skip ahead.")
    assert 400 <= response.status_code < 500
    assert "Choose an earlier stage." in text(response)
    assert item(launched.id).stage.key == "copy"


def test_head_cancels_with_a_comment(client, auth, processes):
    launched = launch_article()
    auth.login("head@demo.local")
    response = manage(client, launched.id, "cancel", comment="The campaign is off.")
    assert response.status_code == 302
    assert "“CRM guide” is cancelled." in text(client.get(response.location))
    stored = item(launched.id)
    assert stored.state == InstanceState.CANCELLED and stored.assignee is None
    assert events_of(launched.id)[-1] == "cancelled"
    assert "CRM guide" not in text(client.get(board_url()))


def test_manager_action_on_a_stale_page_is_a_conflict(client, auth, processes):
    launched = launch_article()
    stale = launched.lock_version
    advance(launched.id, BRIEF_DONE)
    auth.login("head@demo.local")
    response = manage(client, launched.id, "cancel", comment="Off.", version=stale)
    assert response.status_code == 409
    assert "moved on" in text(response)
    assert item(launched.id).state == InstanceState.ACTIVE


@pytest.mark.parametrize("action", ["reassign", "move_back", "cancel"])
def test_members_cannot_use_manager_actions(client, auth, processes, action):
    launched = advance(launch_article().id, BRIEF_DONE)
    history = events_of(launched.id)
    auth.login("marketer@demo.local")
    response = manage(
        client,
        launched.id,
        action,
        comment="Because.",
        stage_key="brief",
        user_id=user("marketer@demo.local").id,
    )
    assert response.status_code == 403
    assert_untouched(launched.id, history)


# --- comments ---------------------------------------------------------------------------


def test_comment_renders_markdown_without_scripts(client, auth, processes):
    launched = launch_article()
    auth.login("marketer@demo.local")
    body = "Look at **the pricing** <script>alert('x')</script>"
    response = client.post(f"/instances/{launched.id}/comments", data={"body": body})
    assert response.status_code == 302
    page = text(client.get(f"/instances/{launched.id}"))
    assert "<strong>the pricing</strong>" in page
    assert "<script>alert" not in page and "alert(" not in page


def test_mention_notifies_the_person(client, auth, processes):
    launched = launch_article()
    auth.login("marketer@demo.local")
    client.post(f"/instances/{launched.id}/comments", data={"body": "@copywriter have a look"})
    page = text(client.get(f"/instances/{launched.id}"))
    name = user("copywriter@demo.local").name
    assert f'<span class="mention">@{name}</span> have a look' in page  # the name, not the handle
    auth.logout()
    auth.login("copywriter@demo.local")
    assert "Olga Lebedeva mentioned you on “CRM guide”." in text(client.get("/notifications"))


def test_mentioning_someone_who_cannot_see_the_item_notifies_nobody(client, auth, processes):
    launched = launch_article()
    close_department("marketing")
    auth.login("marketer@demo.local")
    client.post(f"/instances/{launched.id}/comments", data={"body": "@sales FYI"})
    auth.logout()
    auth.login("sales@demo.local")
    assert "mentioned you" not in text(client.get("/notifications"))


def test_empty_comment_is_refused(client, auth, processes):
    launched = launch_article()
    auth.login("marketer@demo.local")
    response = client.post(f"/instances/{launched.id}/comments", data={"body": "  \n "})
    assert 400 <= response.status_code < 500
    assert "Write something first." in text(response)
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 0


# --- watchers ---------------------------------------------------------------------------


def test_watchers_add_a_person_and_a_department_then_remove_one(client, auth, processes):
    launched = launch_article()
    sales = db.session.scalar(select(Department).where(Department.slug == "sales"))
    auth.login("head@demo.local")
    client.post(f"/instances/{launched.id}/watchers", data={"user_id": user("pr@demo.local").id})
    response = client.post(f"/instances/{launched.id}/watchers", data={"department_id": sales.id})
    assert response.status_code == 302
    watching = watchers_list(text(client.get(f"/instances/{launched.id}")))
    assert "Sergey Fedorov" in watching and "Department: Sales" in watching
    person_row = r"<li>Sergey Fedorov\s*<form[^>]*/watchers/(\d+)/delete"
    watcher_id = re.search(person_row, watching).group(1)
    client.post(f"/instances/{launched.id}/watchers/{watcher_id}/delete")
    watching = watchers_list(text(client.get(f"/instances/{launched.id}")))
    assert "Sergey Fedorov" not in watching and "Department: Sales" in watching


def test_watching_twice_is_refused(client, auth, processes):
    launched = launch_article()
    auth.login("head@demo.local")
    pr = user("pr@demo.local").id
    client.post(f"/instances/{launched.id}/watchers", data={"user_id": pr})
    response = client.post(f"/instances/{launched.id}/watchers", data={"user_id": pr})
    assert 400 <= response.status_code < 500
    assert "Already watching." in text(response)


def test_a_watching_department_lets_its_members_open_a_closed_item(client, auth, processes):
    launched = launch_article()
    sales = db.session.scalar(select(Department).where(Department.slug == "sales"))
    close_department("marketing")
    auth.login("head@demo.local")
    client.post(f"/instances/{launched.id}/watchers", data={"department_id": sales.id})
    auth.logout()
    auth.login("sales@demo.local")
    assert client.get(f"/instances/{launched.id}").status_code == 200


def test_only_the_managers_open_a_closed_item_to_an_outsider_by_a_watch(client, auth, processes):
    """A watch opens a process item; someone who merely sees it may not open it to others."""
    launched = launch_article()
    close_department("marketing")
    sales = db.session.scalar(select(Department).where(Department.slug == "sales"))
    auth.login("marketer@demo.local")  # holds the item, does not manage the process
    page = text(client.get(f"/instances/{launched.id}"))
    options = page[page.index('id="watch-user"') :]
    assert "Dmitry Volkov" in options and "Natalia Smirnova" not in options
    assert "Sales</option>" not in options
    person = client.post(
        f"/instances/{launched.id}/watchers", data={"user_id": user("sales@demo.local").id}
    )
    assert person.status_code == 400
    assert "Natalia Smirnova cannot open this, so cannot watch it." in text(person)
    department = client.post(f"/instances/{launched.id}/watchers", data={"department_id": sales.id})
    assert department.status_code == 400
    assert "Not everyone in Sales can open this" in text(department)
    assert db.session.scalar(select(func.count()).select_from(Watcher)) == 0
    auth.logout()
    auth.login("sales@demo.local")
    assert client.get(f"/instances/{launched.id}").status_code == 404


def test_only_a_manager_removes_someone_elses_watch_of_an_item(client, auth, processes):
    launched = launch_article()
    head = user("head@demo.local")
    theirs = discussion.add_watcher(launched, head, user=user("pr@demo.local"))
    other = discussion.add_watcher(launched, head, user=user("smm@demo.local"))
    db.session.commit()
    ids = (theirs.id, other.id)
    auth.login("marketer@demo.local")
    page = text(client.get(f"/instances/{launched.id}"))
    assert "/delete" not in watchers_list(page)
    refused = client.post(f"/instances/{launched.id}/watchers/{ids[1]}/delete")
    assert refused.status_code == 403
    assert "Only a manager may remove someone else&#39;s watch." in text(refused)
    auth.logout()
    auth.login("pr@demo.local")
    watching = watchers_list(text(client.get(f"/instances/{launched.id}")))
    assert f"/watchers/{ids[0]}/delete" in watching and f"/watchers/{ids[1]}/" not in watching
    assert client.post(f"/instances/{launched.id}/watchers/{ids[0]}/delete").status_code == 302
    auth.logout()
    auth.login("head@demo.local")
    assert client.post(f"/instances/{launched.id}/watchers/{ids[1]}/delete").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Watcher)) == 0


# --- notifications ----------------------------------------------------------------------


def test_bell_shows_unread_count_and_mark_all_read_clears_it(client, auth, processes):
    launch_article("First")
    launch_article("Second")
    auth.login("marketer@demo.local")
    assert bell_count(text(client.get("/me"))) == 2
    page = text(client.get("/notifications"))
    assert "Elena Morozova passed you “First”." in page
    response = client.post("/notifications/read")
    assert response.status_code == 302
    assert bell_count(text(client.get(response.location))) == 0
    unread = (
        select(func.count())
        .select_from(Notification)
        .where(
            Notification.user_id == user("marketer@demo.local").id, Notification.read_at.is_(None)
        )
    )
    assert db.session.scalar(unread) == 0


# --- query count ------------------------------------------------------------------------


def _launch_many(count: int, start: int = 0) -> None:
    """Items with different people in their roles, spread over the first stages."""
    people = [
        user(f"{name}@demo.local") for name in ("marketer", "smm", "pr", "designer", "copywriter")
    ]
    for n in range(start, start + count):
        launched = launch_article(
            f"Item {n}",
            roles={
                "Marketer": people[n % len(people)].id,
                "Copywriter": people[(n + 2) % len(people)].id,
            },
        )
        if n % 3 == 1:
            advance(launched.id, BRIEF_DONE)
        elif n % 3 == 2:
            advance(launched.id, BRIEF_DONE, COPY_DONE)


def _statements_for(client, url: str) -> int:
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = client.get(url)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(statements)


def test_board_query_count_does_not_grow_with_the_cards(client, auth, processes):
    _launch_many(5)
    auth.login("head@demo.local")
    url = board_url()
    client.get(url)  # warm up
    few = _statements_for(client, url)
    _launch_many(35, start=5)  # 14, 13 and 13 cards: each column shows its first 12
    page = text(client.get(url))
    assert len(card_titles(page)) == 36 and column_count(page, "brief") == 14
    many = _statements_for(client, url)
    assert many == few


def test_a_refused_board_action_sends_the_whole_board_as_it_is(client, auth, processes):
    launched = launch_article()
    auth.login("marketer@demo.local")
    response = act(client, launched.id, version=launched.lock_version + 5)
    assert response.status_code == 409
    page = text(response)
    assert '<div id="board" hx-swap-oob="innerHTML">' in page
    assert "CRM guide" in column(page, "brief")


def test_a_card_that_stays_yours_keeps_acting_from_the_board(client, auth, processes):
    launched = advance(
        launch_article().id,
        BRIEF_DONE,
        COPY_DONE,
        ("approve", None),
        ("complete", {"layout": "https://docs.demo.local/layout"}),
    )
    auth.login("marketer@demo.local")
    page = text(act(client, launched.id, "approve"))
    ready = added_to(page, "ready")
    assert "Publish now" in ready
    assert 'name="from" value="board"' in ready  # its next move answers as a board move


def test_plain_post_from_the_board_returns_to_the_board(client, auth, processes):
    launched = launch_article()
    auth.login("marketer@demo.local")
    response = act(client, launched.id, htmx=False, with_fields="1", **{"field-brief": "B."})
    assert response.status_code == 302
    assert response.location == board_url()
    assert "is now with Dmitry Volkov" in text(client.get(response.location))
