"""Editing templates: drafts, validation on publish, versions that running items keep."""

import pytest
from support import launch_article, template, user

from mkflow.core import clock
from mkflow.core.database import db
from mkflow.core.errors import DomainError, PermissionDenied
from mkflow.models import FieldMode, FieldType, Responsible, StageKind
from mkflow.processes import board, engine
from mkflow.processes import templates as editing

pytestmark = pytest.mark.usefixtures("processes")


def head():
    return user("head@demo.local")


def keys(version):
    return [s.key for s in version.stages]


def test_only_the_department_head_or_an_administrator_edits():
    with pytest.raises(PermissionDenied):
        editing.add_stage(user("marketer@demo.local"), template("article"), name="SEO")
    with pytest.raises(PermissionDenied):
        editing.add_stage(user("sales.head@demo.local"), template("article"), name="SEO")
    editing.add_stage(user("admin@demo.local"), template("article"), name="SEO")


def test_editing_a_template_in_use_makes_a_draft_and_running_items_keep_their_version():
    item = launch_article()
    article = template("article")
    editing.add_stage(head(), article, name="SEO keywords", responsible=Responsible.LAUNCHER)
    db.session.commit()
    draft = editing.draft_of(article)
    assert (draft.number, article.current_version.number) == (2, 1)
    assert "SEO keywords" in [s.name for s in draft.stages]
    assert "SEO keywords" not in [s.name for s in item.version.stages]

    editing.publish(head(), article)
    db.session.commit()
    assert article.current_version.number == 2 and editing.draft_of(article) is None
    newer = launch_article("After the change")
    assert (item.version.number, newer.version.number) == (1, 2)
    engine.act(
        item, user("marketer@demo.local"), "complete", expected_version=None, values={"brief": "b"}
    )
    assert item.stage.key == "copy" and item.version.number == 1


def test_new_stages_go_before_the_wait_and_final_stages_and_approvals_reject_to_the_one_before():
    article = template("article")
    stage = editing.add_stage(head(), article, name="Proofreading", kind=StageKind.APPROVAL)
    draft = editing.draft_of(article)
    assert keys(draft)[-3:] == [stage.key, "ready", "published"]
    assert stage.reject_to_key == "design_review"
    field = editing.add_field(head(), article, label="Budget")
    assert field.at_launch  # a new field is asked at launch unless the head says otherwise


def test_publishing_a_broken_draft_is_refused_with_the_reasons():
    article = template("article")
    editing.remove_stage(head(), article, "published")
    editing.update_stage(head(), article, "copy", responsible=None)
    with pytest.raises(DomainError) as refused:
        editing.publish(head(), article)
    text = str(refused.value.message)
    assert "no final stage" in text and "“Writing” has no responsible person" in text
    db.session.rollback()
    assert template("article").current_version.number == 1


def test_removing_a_stage_clears_rejections_that_pointed_at_it():
    article = template("article")
    editing.remove_stage(head(), article, "copy")
    db.session.expire_all()
    draft = editing.draft_of(template("article"))
    review = editing.find_stage(draft, "copy_review")
    assert review.reject_to_key is None
    assert any("earlier stage" in str(p.message) for p in editing.problems_of(draft))


def test_reorder_stages_and_fields():
    article = template("article")
    editing.move_stage(head(), article, "copy", -1)
    assert keys(editing.draft_of(article))[:2] == ["copy", "brief"]
    editing.move_stage(head(), article, "copy", -5)  # clamps at the top
    assert keys(editing.draft_of(article))[0] == "copy"
    editing.move_field(head(), article, "brief", 1)
    assert [f.key for f in editing.draft_of(article).fields][2:4] == ["text", "brief"]


def test_fields_and_their_modes_per_stage():
    article = template("article")
    field = editing.add_field(head(), article, label="Budget", type=FieldType.NUMBER)
    editing.update_stage(
        head(), article, "design", field_modes=editing.clean_modes({field.key: FieldMode.REQUIRE})
    )
    editing.update_field(head(), article, field.key, label="Budget, ₽", required=False)
    db.session.commit()
    with pytest.raises(DomainError, match="List the options"):
        editing.update_field(head(), article, field.key, type=FieldType.CHOICE, choices="")
    db.session.rollback()
    draft = editing.draft_of(template("article"))
    design = editing.find_stage(draft, "design")
    assert design.mode_for(field.key) == FieldMode.REQUIRE
    editing.remove_field(head(), template("article"), field.key)
    assert (
        field.key
        not in editing.find_stage(editing.draft_of(template("article")), "design").field_modes
    )


def test_update_stage_refuses_unknown_people_and_groups():
    with pytest.raises(DomainError, match="person"):
        editing.update_stage(
            head(), template("article"), "copy", responsible=Responsible.USER, user_id=99999
        )
    with pytest.raises(DomainError, match="group"):
        editing.update_stage(
            head(), template("article"), "copy", responsible=Responsible.GROUP, group_id=99999
        )


def test_discarding_a_draft_goes_back_to_the_published_version():
    article = template("article")
    editing.add_stage(head(), article, name="Extra")
    editing.discard_draft(head(), article)
    db.session.commit()
    assert editing.draft_of(template("article")) is None
    with pytest.raises(DomainError):
        editing.discard_draft(head(), template("article"))


def test_duplicate_makes_an_independent_three_in_one_variant():
    copy = editing.duplicate(head(), template("article"), "Article, 3 in 1")
    editing.update_stage(head(), copy, "copy", responsible=Responsible.ROLE, role="Marketer")
    editing.update_stage(head(), copy, "design", responsible=Responsible.ROLE, role="Marketer")
    editing.publish(head(), copy)
    db.session.commit()
    assert engine.roles_of(copy) == ["Marketer", "Text approver"]
    assert engine.roles_of(template("article")) == ["Marketer", "Copywriter", "Text approver"]
    assert copy.slug != "article" and copy.department.slug == "marketing"


def test_archived_templates_start_nothing_but_running_items_go_on():
    item = launch_article()
    editing.set_archived(head(), template("article"), True)
    db.session.commit()
    with pytest.raises(DomainError, match="archived"):
        launch_article("Another")
    db.session.rollback()
    engine.act(
        item, user("marketer@demo.local"), "complete", expected_version=None, values={"brief": "b"}
    )
    assert item.stage.key == "copy"


def test_new_templates_belong_to_the_creators_department():
    marketing = user("head@demo.local").department
    created = editing.create_template(head(), name="Webinar", department=marketing)
    assert created.versions[0].is_draft and created.current_version is None
    with pytest.raises(PermissionDenied):
        editing.create_template(
            head(), name="Sales call", department=user("sales@demo.local").department
        )
    with pytest.raises(DomainError, match="colour"):
        editing.create_template(head(), name="Bad", department=marketing, color="red")


def test_board_keeps_old_version_items_in_the_matching_or_their_own_column():
    kept = launch_article("On the old version")
    article = template("article")
    editing.remove_stage(head(), article, "brief")
    editing.publish(head(), article)
    db.session.commit()
    columns = board.build_board(article, head(), board.BoardFilters(), clock.now())
    assert [c.key for c in columns][-1] == "brief"  # the removed stage, kept for its item
    assert [c.title for c in columns[-1].cards] == [kept.title]
