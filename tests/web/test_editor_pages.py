"""The process editor: who may open it, each in-place (htmx) edit, publishing with its checks,
and versions: running items finish on the version they started on."""

import re

import pytest
from sqlalchemy import func, select
from support import launch_article, template, user

from mkflow.core.database import db
from mkflow.models import Department, ProcessInstance, ProcessTemplate, Visibility
from mkflow.processes import templates as editing

HTMX = {"HX-Request": "true"}
ARTICLE_STAGES = ["brief", "copy", "copy_review", "design", "design_review", "ready", "published"]
PUBLISHED = "Published: new items start on this version; running ones stay on theirs."


# --- helpers ------------------------------------------------------------------------------


def text(response) -> str:
    return response.get_data(as_text=True)


def fresh(slug: str = "article") -> ProcessTemplate:
    """The template as stored now."""
    db.session.expire_all()
    return template(slug)


def edited(slug: str = "article"):
    """The version the editor works on: the draft, or the live version before the first edit."""
    current = fresh(slug)
    return editing.draft_of(current) or current.current_version


def stage_keys(slug: str = "article") -> list[str]:
    return [s.key for s in edited(slug).stages]


def field_keys(slug: str = "article") -> list[str]:
    return [f.key for f in edited(slug).fields]


def stage(key: str, slug: str = "article"):
    return next(s for s in edited(slug).stages if s.key == key)


def department(slug: str) -> Department:
    return db.session.scalar(select(Department).where(Department.slug == slug))


def templates_count() -> int:
    return db.session.scalar(select(func.count()).select_from(ProcessTemplate))


def url(slug: str, path: str) -> str:
    return f"/processes/{fresh(slug).id}/{path}"


def stage_form(key: str, slug: str = "article", modes: dict | None = None, **changes) -> dict:
    """The stage's form as the editor shows it, with ``changes`` typed in."""
    current = stage(key, slug)
    data = {
        "name": current.name,
        "kind": current.kind.value,
        "responsible": current.responsible.value if current.responsible else "",
        "user_id": current.user_id or 0,
        "group_id": current.group_id or 0,
        "pick_rule": current.pick_rule.value,
        "role": current.role,
        "due_amount": current.due_amount,
        "due_unit": current.due_unit.value,
        "reject_to_key": current.reject_to_key or "",
        "instructions": current.instructions,
    } | changes
    form = {f"{key}-{name}": value for name, value in data.items()}
    for field in edited(slug).fields:
        mode = (modes or {}).get(field.key, current.mode_for(field.key).value)
        form[f"{key}-mode-{field.key}"] = mode
    return form


def field_form(key: str, slug: str = "article", **changes) -> dict:
    """The field's form as the editor shows it (an unticked box is not sent), with changes."""
    current = next(f for f in edited(slug).fields if f.key == key)
    data = {
        "label": current.label,
        "type": current.type.value,
        "at_launch": "y" if current.at_launch else None,
        "required": "y" if current.required else None,
        "default": current.default,
        "choices": current.choices,
    } | changes
    return {f"{key}-{name}": value for name, value in data.items() if value is not None}


def post(client, target: str, data: dict | None = None, *, htmx: bool = True):
    return client.post(target, data=data or {}, headers=HTMX if htmx else None)


def assert_fragment(response, message: str, status: int = 200) -> str:
    """An htmx answer: the editor alone (no page around it) with ``message``."""
    assert response.status_code == status
    page = text(response)
    assert "<html" not in page
    assert 'class="card version-bar"' in page
    assert message in page
    return page


def make_draft(slug: str = "article") -> None:
    editing.ensure_draft(user("head@demo.local"), fresh(slug))
    db.session.commit()


def new_process(name: str = "Quick post", by: str = "head@demo.local") -> ProcessTemplate:
    """An empty marketing process, as /processes/new makes it."""
    created = editing.create_template(user(by), name=name, department=department("marketing"))
    db.session.commit()
    return created


def add_stage(client, slug: str, name: str, kind: str = "work"):
    return post(client, url(slug, "stages"), {"new-stage-name": name, "new-stage-kind": kind})


# Every editor post on the article process: path under /processes/<id>/, the form sent (made
# when the test runs), and what the editor then says. Publish and discard need a draft first.
OPERATIONS = {
    "settings": (
        "settings",
        lambda: {
            "name": "Article publication",
            "description": "Blog and media.",
            "department": department("marketing").id,
            "color": "#123456",
        },
        "Settings saved.",
    ),
    "add stage": (
        "stages",
        lambda: {"new-stage-name": "Fact check", "new-stage-kind": "work"},
        "Stage added.",
    ),
    "update stage": ("stages/copy", lambda: stage_form("copy", name="Copywriting"), "Stage saved."),
    "move stage": ("stages/copy/move", lambda: {"direction": "up"}, "Order saved."),
    "remove stage": ("stages/ready/delete", dict, "Removed."),
    "add field": (
        "fields",
        lambda: {"new-field-label": "Budget", "new-field-type": "number"},
        "Field added.",
    ),
    "update field": (
        "fields/channel",
        lambda: field_form("channel", label="Where"),
        "Field saved.",
    ),
    "move field": ("fields/brief/move", lambda: {"direction": "down"}, "Order saved."),
    "remove field": ("fields/published_url/delete", dict, "Removed."),
    "publish": ("publish", dict, PUBLISHED),
    "discard": ("discard", dict, "The draft is discarded."),
}
NEEDS_DRAFT = {"publish", "discard"}


def prepare(operation: str) -> tuple[str, dict, str]:
    """The URL, form and expected message of an editor operation, with a draft if it needs one."""
    if operation in NEEDS_DRAFT:
        make_draft()
    path, data, message = OPERATIONS[operation]
    return url("article", path), data(), message


# --- who may open the editor ------------------------------------------------------------


@pytest.mark.parametrize("email", ["head@demo.local", "admin@demo.local"])
def test_new_process_page_opens_for_heads_and_admins(client, auth, processes, email):
    auth.login(email)
    response = client.get("/processes/new")
    assert response.status_code == 200
    assert "Create and add stages" in text(response)


def test_new_process_page_is_forbidden_to_members(client, auth, processes):
    auth.login("marketer@demo.local")
    assert client.get("/processes/new").status_code == 403
    response = client.post(
        "/processes/new",
        data={"name": "Sneaky", "department": department("marketing").id, "color": "#123456"},
    )
    assert response.status_code == 403
    assert templates_count() == 8


def test_head_creates_a_process_in_their_department(client, auth, processes):
    auth.login("head@demo.local")
    response = client.post(
        "/processes/new",
        data={
            "name": "Quick post",
            "description": "One step.",
            "department": department("marketing").id,
            "color": "#123456",
        },
    )
    assert response.status_code == 302
    created = fresh("quick-post")
    assert response.location == f"/processes/{created.id}/edit"
    assert created.department.slug == "marketing" and created.current_version is None
    page = text(client.get(response.location))
    assert "The process is created. Add its fields and stages." in page
    assert "You are editing version 1. Publish it to start items." in page
    assert "Add at least one stage." in page


def test_head_cannot_create_a_process_for_another_department(client, auth, processes):
    auth.login("head@demo.local")
    response = client.post(
        "/processes/new",
        data={"name": "Sales call", "department": department("sales").id, "color": "#123456"},
    )
    assert response.status_code == 422
    assert "Not a valid choice" in text(response)
    assert templates_count() == 8


@pytest.mark.parametrize(
    "changes, message",
    [({"name": ""}, "This field is required."), ({"color": "blue"}, "Use #rrggbb.")],
)
def test_new_process_refuses_bad_input(client, auth, processes, changes, message):
    auth.login("head@demo.local")
    data = {
        "name": "Quick post",
        "department": department("marketing").id,
        "color": "#123456",
    } | changes
    response = client.post("/processes/new", data=data)
    assert response.status_code == 422
    assert message in text(response)
    assert templates_count() == 8


def test_admin_creates_a_process_for_the_whole_company(client, auth, processes):
    auth.login("admin@demo.local")
    response = client.post(
        "/processes/new", data={"name": "Holiday request", "department": 0, "color": "#123456"}
    )
    assert response.status_code == 302
    assert fresh("holiday-request").department is None


@pytest.mark.parametrize("email", ["head@demo.local", "admin@demo.local"])
def test_editor_opens_for_the_head_and_the_admin(client, auth, processes, email):
    auth.login(email)
    response = client.get(url("article", "edit"))
    assert response.status_code == 200
    page = text(response)
    assert "Edit “Article publication”" in page
    assert "Version 1 is in use; no item has started on it yet." in page
    assert "Images and layout" in page and "Content brief" in page


@pytest.mark.parametrize("email", ["marketer@demo.local", "sales.head@demo.local"])
def test_editor_is_forbidden_to_others_who_see_the_process(client, auth, processes, email):
    auth.login(email)
    assert client.get(url("article", "edit")).status_code == 403


def test_editor_is_404_for_a_process_one_cannot_see(client, auth, processes):
    closed = department("marketing")
    closed.visibility = Visibility.DEPARTMENT
    db.session.commit()
    auth.login("sales.head@demo.local")
    assert client.get(url("article", "edit")).status_code == 404
    assert post(client, url("article", "stages"), {"new-stage-name": "X"}).status_code == 404


@pytest.mark.parametrize("operation", OPERATIONS)
def test_editor_posts_are_forbidden_to_members(client, auth, processes, operation):
    target, data, _message = prepare(operation)
    versions_before = len(fresh().versions)
    auth.login("marketer@demo.local")
    assert post(client, target, data).status_code == 403
    assert len(fresh().versions) == versions_before
    assert fresh().current_version.number == 1


def test_editor_labels_point_at_their_own_inputs(client, auth, processes):
    auth.login("head@demo.local")
    page = text(client.get(url("article", "edit")))
    for target in set(re.findall(r'<label for="([^"]+)"', page)):
        assert page.count(f'id="{target}"') == 1, target


# --- every edit answers htmx with the editor, a plain post with a redirect ----------------


@pytest.mark.parametrize("operation", OPERATIONS)
def test_editor_post_via_htmx_returns_the_editor_fragment(client, auth, processes, operation):
    target, data, message = prepare(operation)
    auth.login("head@demo.local")
    assert_fragment(post(client, target, data), message)


@pytest.mark.parametrize("operation", OPERATIONS)
def test_editor_plain_post_redirects_to_the_editor(client, auth, processes, operation):
    target, data, message = prepare(operation)
    auth.login("head@demo.local")
    response = post(client, target, data, htmx=False)
    assert response.status_code == 302
    assert response.location == url("article", "edit")
    assert message in text(client.get(response.location))


# --- what each edit changes -------------------------------------------------------------


def test_settings_are_saved(client, auth, processes):
    auth.login("head@demo.local")
    post(
        client,
        url("article", "settings"),
        {
            "name": "Blog article",
            "description": "For the blog.",
            "department": department("marketing").id,
            "color": "#aa0000",
        },
    )
    saved = fresh()
    assert (saved.name, saved.description, saved.color) == (
        "Blog article",
        "For the blog.",
        "#aa0000",
    )
    assert "Blog article" in text(client.get("/processes"))


@pytest.mark.parametrize(
    "changes, message",
    [({"name": " "}, "This field is required."), ({"color": "red"}, "Use #rrggbb.")],
)
def test_settings_refuse_bad_input(client, auth, processes, changes, message):
    auth.login("head@demo.local")
    data = {
        "name": "Blog article",
        "description": "",
        "department": department("marketing").id,
        "color": "#aa0000",
    } | changes
    assert_fragment(post(client, url("article", "settings"), data), message, 422)
    saved = fresh()
    assert (saved.name, saved.color) == ("Article publication", "#2454c5")


def test_settings_refused_without_htmx_show_the_editor_page(client, auth, processes):
    auth.login("head@demo.local")
    response = post(
        client,
        url("article", "settings"),
        {"name": "", "department": department("marketing").id, "color": "#aa0000"},
        htmx=False,
    )
    assert response.status_code == 422
    page = text(response)
    assert "<html" in page and "This field is required." in page
    assert fresh().name == "Article publication"


def test_add_stage_goes_before_the_wait_and_the_final_stage(client, auth, processes):
    auth.login("head@demo.local")
    page = assert_fragment(add_stage(client, "article", "Fact check"), "Stage added.")
    assert "Fact check" in page
    new_name = re.search(r'<input[^>]*id="new-stage-name"[^>]*>', page)[0]
    assert "Fact check" not in new_name  # the name box is empty again
    names = [s.name for s in edited().stages]
    assert names[-3:] == ["Fact check", "Ready to publish", "Published"]
    assert fresh().current_version.number == 1 and edited().number == 2


def test_add_stage_without_a_name_is_refused(client, auth, processes):
    auth.login("head@demo.local")
    assert_fragment(add_stage(client, "article", "  "), "This field is required.", 422)
    assert editing.draft_of(fresh()) is None


def test_added_approval_rejects_to_the_stage_before_it(client, auth, processes):
    auth.login("head@demo.local")
    add_stage(client, "article", "Legal check", "approval")
    added = edited().stages[-3]
    assert added.kind == "approval" and added.reject_to_key == "design_review"


def test_update_stage_to_a_named_person(client, auth, processes):
    auth.login("head@demo.local")
    designer = user("designer@demo.local").id
    page = assert_fragment(
        post(
            client,
            url("article", "stages/design"),
            stage_form(
                "design",
                responsible="user",
                user_id=designer,
                due_amount=4,
                due_unit="hours",
                instructions="Use the brand kit.",
            ),
        ),
        "Stage saved.",
    )
    saved = stage("design")
    assert (saved.responsible, saved.user_id) == ("user", designer)
    assert (saved.due_amount, saved.due_unit, saved.instructions) == (
        4,
        "hours",
        "Use the brand kit.",
    )
    assert re.search(rf'<option selected value="{designer}">Anna Novikova</option>', page)


def test_update_stage_to_a_group_with_a_pick_rule(client, auth, processes):
    auth.login("head@demo.local")
    copywriters = next(g for g in user("copywriter@demo.local").groups if g.slug == "copywriters")
    post(
        client,
        url("article", "stages/copy"),
        stage_form("copy", responsible="group", group_id=copywriters.id, pick_rule="round_robin"),
    )
    saved = stage("copy")
    assert (saved.responsible, saved.group_id, saved.pick_rule) == (
        "group",
        copywriters.id,
        "round_robin",
    )


def test_update_stage_to_a_new_role_asks_it_at_start_once_published(client, auth, processes):
    auth.login("head@demo.local")
    post(
        client,
        url("article", "stages/design"),
        stage_form("design", responsible="role", role="Illustrator"),
    )
    assert (stage("design").responsible, stage("design").role) == ("role", "Illustrator")
    post(client, url("article", "publish"))
    page = text(client.get(url("article", "start")))
    assert '<label for="role-3">Illustrator' in page


def test_update_stage_reject_target(client, auth, processes):
    auth.login("head@demo.local")
    post(
        client,
        url("article", "stages/design_review"),
        stage_form("design_review", reject_to_key="copy"),
    )
    assert stage("design_review").reject_to_key == "copy"


def test_update_stage_field_modes(client, auth, processes):
    auth.login("head@demo.local")
    page = assert_fragment(
        post(
            client,
            url("article", "stages/design"),
            stage_form("design", modes={"topic": "hidden", "brief": "edit", "layout": "require"}),
        ),
        "Stage saved.",
    )
    saved = stage("design")
    assert saved.mode_for("topic") == "hidden"
    assert saved.mode_for("brief") == "edit"
    assert saved.mode_for("layout") == "require"
    assert saved.mode_for("channel") == "show"
    assert re.search(r'name="design-mode-topic">\s*<option value="hidden" selected>', page)


def test_a_named_person_stage_without_the_person_is_listed_as_a_problem(client, auth, processes):
    auth.login("head@demo.local")
    page = assert_fragment(
        post(
            client,
            url("article", "stages/design"),
            stage_form("design", responsible="user", user_id=0),
        ),
        "Stage saved.",
    )
    assert "Stage “Images and layout” has no responsible person." in page
    assert "needs fixing" in page


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"name": ""}, "This field is required."),
        ({"responsible": "emperor"}, "Choose who is responsible."),
        ({"kind": "sideways"}, "Not a valid choice"),
        ({"due_amount": -1}, "Number must be between 0 and 365."),
        ({"responsible": "user", "user_id": 99999}, "Choose a person from the list."),
    ],
)
def test_update_stage_refuses_bad_input(client, auth, processes, changes, message):
    auth.login("head@demo.local")
    response = post(client, url("article", "stages/design"), stage_form("design", **changes))
    assert_fragment(response, message, 422)
    assert editing.draft_of(fresh()) is None
    assert stage("design").name == "Images and layout"


def test_update_stage_refuses_a_bad_field_mode(client, auth, processes):
    auth.login("head@demo.local")
    response = post(
        client, url("article", "stages/design"), stage_form("design", modes={"layout": "shouted"})
    )
    assert_fragment(response, "Choose how each field appears at this stage.", 422)
    assert editing.draft_of(fresh()) is None


def test_move_stage_up_and_down(client, auth, processes):
    auth.login("head@demo.local")
    post(client, url("article", "stages/copy/move"), {"direction": "up"})
    assert stage_keys()[:3] == ["copy", "brief", "copy_review"]
    post(client, url("article", "stages/copy/move"), {"direction": "down"})
    assert stage_keys()[:3] == ["brief", "copy", "copy_review"]


def test_remove_stage_clears_rejections_to_it(client, auth, processes):
    auth.login("head@demo.local")
    page = assert_fragment(post(client, url("article", "stages/copy/delete")), "Removed.")
    assert "copy" not in stage_keys()
    assert stage("copy_review").reject_to_key is None
    assert "Approval “Text approval” must send rejections to an earlier stage." in page


def test_add_field(client, auth, processes):
    auth.login("head@demo.local")
    page = assert_fragment(
        post(
            client,
            url("article", "fields"),
            {"new-field-label": "Budget", "new-field-type": "number"},
        ),
        "Field added.",
    )
    added = edited().fields[-1]
    assert (added.label, added.type) == ("Budget", "number")
    assert "Budget" in page


def test_add_field_without_a_label_is_refused(client, auth, processes):
    auth.login("head@demo.local")
    response = post(
        client, url("article", "fields"), {"new-field-label": "", "new-field-type": "text"}
    )
    assert_fragment(response, "This field is required.", 422)
    assert editing.draft_of(fresh()) is None


def test_update_field_with_choice_options(client, auth, processes):
    auth.login("head@demo.local")
    page = assert_fragment(
        post(
            client,
            url("article", "fields/channel"),
            field_form("channel", label="Where", choices="Blog\nNewsletter\n", default="Blog"),
        ),
        "Field saved.",
    )
    saved = next(f for f in edited().fields if f.key == "channel")
    assert saved.label == "Where" and saved.choice_list == ["Blog", "Newsletter"]
    assert saved.default == "Blog"
    assert "Where" in page


def test_update_field_settings(client, auth, processes):
    auth.login("head@demo.local")
    post(
        client,
        url("article", "fields/brief"),
        field_form("brief", label="Brief", type="text", at_launch="y", required="y"),
    )
    saved = next(f for f in edited().fields if f.key == "brief")
    assert (saved.label, saved.type, saved.at_launch, saved.required) == (
        "Brief",
        "text",
        True,
        True,
    )
    post(client, url("article", "fields/brief"), field_form("brief", at_launch=None, required=None))
    saved = next(f for f in edited().fields if f.key == "brief")
    assert (saved.at_launch, saved.required) == (False, False)


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"label": ""}, "This field is required."),
        (
            {"type": "choice", "choices": "\n \n"},
            "List the options of “Content brief”, one per line.",
        ),
        ({"type": "colour"}, "Not a valid choice"),
    ],
)
def test_update_field_refuses_bad_input(client, auth, processes, changes, message):
    auth.login("head@demo.local")
    response = post(client, url("article", "fields/brief"), field_form("brief", **changes))
    assert_fragment(response, message, 422)
    assert editing.draft_of(fresh()) is None


def test_a_field_can_be_turned_into_a_choice(client, auth, processes):
    auth.login("head@demo.local")
    assert 'name="brief-choices"' in text(client.get(url("article", "edit")))
    response = post(
        client,
        url("article", "fields/brief"),
        field_form("brief", type="choice", choices="Short\nLong"),
    )
    assert_fragment(response, "Field saved.")
    saved = next(f for f in edited().fields if f.key == "brief")
    assert saved.type == "choice" and saved.choice_list == ["Short", "Long"]


def test_move_field(client, auth, processes):
    auth.login("head@demo.local")
    post(client, url("article", "fields/brief/move"), {"direction": "up"})
    assert field_keys()[:3] == ["topic", "brief", "channel"]


def test_remove_field_drops_it_from_the_stages(client, auth, processes):
    auth.login("head@demo.local")
    post(client, url("article", "fields/brief/delete"))
    assert "brief" not in field_keys()
    assert "brief" not in stage("brief").field_modes


def test_unknown_stage_is_refused(client, auth, processes):
    auth.login("head@demo.local")
    response = post(client, url("article", "stages/nope/delete"))
    assert 400 <= response.status_code < 500
    assert "There is no such stage." in text(response)
    assert editing.draft_of(fresh()) is None


# --- publishing, discarding, duplicating, archiving -------------------------------------


def test_building_a_process_and_publishing_it(client, auth, processes):
    new_process()
    auth.login("head@demo.local")
    add_stage(client, "quick-post", "Write")
    post(
        client,
        url("quick-post", "stages/" + stage_keys("quick-post")[0]),
        stage_form(stage_keys("quick-post")[0], "quick-post", responsible="launcher"),
    )
    add_stage(client, "quick-post", "Review", "approval")
    review = stage_keys("quick-post")[1]
    post(
        client,
        url("quick-post", f"stages/{review}"),
        stage_form(review, "quick-post", responsible="user", user_id=user("head@demo.local").id),
    )
    add_stage(client, "quick-post", "Posted", "final")
    assert_fragment(post(client, url("quick-post", "publish")), PUBLISHED)
    live = fresh("quick-post").current_version
    assert live.number == 1 and live.published_at is not None
    assert [s.name for s in live.stages] == ["Write", "Review", "Posted"]
    response = client.post(url("quick-post", "start"), data={"title": "Launch day"})
    assert response.status_code == 302
    started = db.session.scalar(
        select(ProcessInstance).where(ProcessInstance.title == "Launch day")
    )
    assert started.stage.name == "Write" and started.assignee.email == "head@demo.local"


def test_publish_refuses_a_process_without_a_final_stage(client, auth, processes):
    new_process()
    auth.login("head@demo.local")
    add_stage(client, "quick-post", "Write")
    first = stage_keys("quick-post")[0]
    post(
        client,
        url("quick-post", f"stages/{first}"),
        stage_form(first, "quick-post", responsible="launcher"),
    )
    response = post(client, url("quick-post", "publish"))
    page = assert_fragment(response, "The process has no final stage: add one at the end.", 422)
    assert "Fix these first:" in page
    assert fresh("quick-post").current_version is None


def test_publish_refuses_an_approval_without_an_earlier_reject_target(client, auth, processes):
    new_process()
    auth.login("head@demo.local")
    add_stage(client, "quick-post", "Review", "approval")
    first = stage_keys("quick-post")[0]
    post(
        client,
        url("quick-post", f"stages/{first}"),
        stage_form(first, "quick-post", responsible="launcher"),
    )
    add_stage(client, "quick-post", "Posted", "final")
    response = post(client, url("quick-post", "publish"), htmx=False)
    assert response.status_code == 422
    assert "Approval “Review” must send rejections to an earlier stage." in text(response)
    assert fresh("quick-post").current_version is None


def test_publish_refuses_a_reject_target_after_the_approval(client, auth, processes):
    auth.login("head@demo.local")
    post(
        client,
        url("article", "stages/copy_review"),
        stage_form("copy_review", reject_to_key="design"),
    )
    response = post(client, url("article", "publish"))
    assert_fragment(
        response, "Approval “Text approval” must send rejections to an earlier stage.", 422
    )
    assert fresh().current_version.number == 1
    assert editing.draft_of(fresh()).published_at is None


def test_publish_without_changes_is_refused(client, auth, processes):
    auth.login("head@demo.local")
    assert_fragment(
        post(client, url("article", "publish")), "There are no changes to publish.", 422
    )
    assert fresh().current_version.number == 1


def test_discard_returns_to_the_live_version(client, auth, processes):
    auth.login("head@demo.local")
    post(client, url("article", "stages/copy"), stage_form("copy", name="Copywriting"))
    page = assert_fragment(post(client, url("article", "discard")), "The draft is discarded.")
    assert editing.draft_of(fresh()) is None
    assert [v.number for v in fresh().versions] == [1]
    assert "Writing" in page and "Copywriting" not in page


def test_duplicate_opens_the_copy_in_the_editor(client, auth, processes):
    auth.login("head@demo.local")
    response = client.post(url("article", "duplicate"), data={"duplicate-name": "Short article"})
    assert response.status_code == 302
    copy = db.session.scalar(select(ProcessTemplate).where(ProcessTemplate.name == "Short article"))
    assert response.location == f"/processes/{copy.id}/edit"
    assert "This is the copy. Change it and publish it." in text(client.get(response.location))
    assert copy.current_version is None
    assert [s.key for s in copy.versions[0].stages] == ARTICLE_STAGES
    assert copy.department.slug == "marketing"


def test_duplicate_without_a_name_is_refused(client, auth, processes):
    auth.login("head@demo.local")
    response = client.post(url("article", "duplicate"), data={"duplicate-name": ""})
    assert 400 <= response.status_code < 500
    assert templates_count() == 8


def test_archive_and_restore(client, auth, processes):
    auth.login("head@demo.local")
    response = client.post(url("article", "archive"))
    assert response.status_code == 302 and response.location == "/processes"
    page = text(client.get(response.location))
    assert "The process is archived." in page
    archived = page.split("<h2>Archived</h2>")[1]
    assert "Article publication" in archived and "Restore" in archived
    assert fresh().archived
    refused = client.post(url("article", "start"), data={"title": "Too late"})
    assert refused.status_code == 422
    assert "This process is archived or not published yet." in text(refused)
    response = client.post(url("article", "restore"))
    assert "The process is back in use." in text(client.get(response.location))
    assert not fresh().archived


def test_members_cannot_archive(client, auth, processes):
    auth.login("marketer@demo.local")
    assert client.post(url("article", "archive")).status_code == 403
    assert not fresh().archived


# --- versions ---------------------------------------------------------------------------


def test_editing_a_process_with_a_running_item_makes_a_draft(client, auth, processes):
    running = launch_article()
    auth.login("head@demo.local")
    page = assert_fragment(
        post(client, url("article", "stages/copy"), stage_form("copy", name="Copywriting")),
        "Stage saved.",
    )
    assert (
        "You are editing a draft of version 2. Version 1 stays in use until you publish, "
        "and the items started on it (1 item) finish on it."
    ) in page
    assert fresh().current_version.number == 1
    assert editing.draft_of(fresh()).number == 2
    item_page = text(client.get(f"/instances/{running.id}"))
    assert "version 1" in item_page and "Copywriting" not in item_page


def test_publishing_a_new_version_keeps_running_items_on_theirs(client, auth, processes):
    running = launch_article("Old article")
    auth.login("head@demo.local")
    post(client, url("article", "stages/copy"), stage_form("copy", name="Copywriting"))
    post(client, url("article", "publish"))
    assert fresh().current_version.number == 2
    client.post(
        url("article", "start"),
        data={
            "title": "New article",
            "field-topic": "Pricing",
            "role-0": user("marketer@demo.local").id,
            "role-1": user("copywriter@demo.local").id,
            "role-2": user("head@demo.local").id,
        },
    )
    db.session.expire_all()
    started = db.session.scalar(
        select(ProcessInstance).where(ProcessInstance.title == "New article")
    )
    old = db.session.get(ProcessInstance, running.id)
    assert started.version.number == 2 and old.version.number == 1
    assert "version 2" in text(client.get(f"/instances/{started.id}"))
    old_page = text(client.get(f"/instances/{running.id}"))
    assert "version 1" in old_page
    assert "Writing" in old_page and "Copywriting" not in old_page
    board = text(client.get(url("article", "board")))
    assert "Copywriting" in board and "Old article" in board and "New article" in board
