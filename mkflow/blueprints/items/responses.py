"""How an action answers: htmx gets what changed on the card's page (web.cards.CardAnswer,
out of band: the card, its column heads, the message, the counters); a plain form post gets
a redirect, or the item page with the refusal."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from mkflow.activity import discussion
from mkflow.core import clock
from mkflow.core.database import db
from mkflow.models import Event, EventKind, ProcessInstance
from mkflow.people import company
from mkflow.processes import board as boards
from mkflow.processes import engine, history
from mkflow.processes import fields as field_rules
from mkflow.web.cards import CardAnswer, card_context, item_cards, render_answer
from mkflow.web.forms import EmptyForm


def describe(event: Event, instance: ProcessInstance) -> str:
    """One sentence on what happened and who has the work now."""
    if not instance.is_active:
        return _(
            "“%(title)s” is finished: %(stage)s.", title=instance.title, stage=instance.stage.name
        )
    who = instance.assignee.name if instance.assignee else _("nobody yet")
    if event.kind == EventKind.REJECTED:
        return _(
            "Returned for rework: “%(title)s” is back with %(name)s at “%(stage)s”.",
            title=instance.title,
            name=who,
            stage=instance.stage.name,
        )
    return _(
        "Done: “%(title)s” is now with %(name)s at “%(stage)s”.",
        title=instance.title,
        name=who,
        stage=instance.stage.name,
    )


def describe_manager_action(action: str, instance_id: int) -> str:
    instance = db.session.get(ProcessInstance, instance_id)
    if action == "cancel":
        return _("“%(title)s” is cancelled.", title=instance.title)
    who = instance.assignee.name if instance.assignee else _("nobody yet")
    return _(
        "“%(title)s” is now with %(name)s at “%(stage)s”.",
        title=instance.title,
        name=who,
        stage=instance.stage.name,
    )


def _back(instance: ProcessInstance, origin: str) -> str:
    """Where a plain (no JavaScript) post returns: the page the action came from."""
    if origin == "board":
        return url_for("processes.board", template_id=instance.template_id)
    if origin == "me":
        return url_for("main.my_work")
    return url_for("items.show", instance_id=instance.id)


def _answer(
    instance: ProcessInstance,
    message: str,
    category: str,
    changed: set | None,
    origin: str,
    fix: str = "",
):
    """The answer to an action on the item's card, for the page it came from: on a board,
    the card in its new column and the two column heads (after a refusal, the whole board);
    on My work, its row as it is now (gone when it is no longer ours)."""
    now = clock.now()
    if origin == "board":
        # The board's filters come with the action, read as the board reads them.
        filters = boards.BoardFilters.from_args(request.form)
        template = instance.template
        if changed is None:  # refused: show the whole board as it is now
            columns = boards.build_board(template, current_user, filters, now)
            answer = CardAnswer(
                "item", "board", message, category, board="processes/_columns.html", fix=fix
            )
            return render_answer(
                answer,
                columns=columns,
                template=template,
                filters=filters,
                **card_context(now, columns),
            )
        shown_until = _shown_until(changed)
        card = boards.card_on_board(instance.id, current_user, filters, now)
        heads = boards.column_heads(template, current_user, filters, now, changed, shown_until)
        answer = CardAnswer(
            "item", "board", message, category, gone=f"card-{instance.id}", heads=heads
        )
        if card is not None and card.is_active:
            column = next((c for c in heads if c.key == card.stage_key), None)
            answer.place = _place(template, column, card, filters, now)
        elif card is not None and not filters.narrows_people:  # finished: newest first
            answer.place = f"afterbegin:#cards-{card.stage_key}"
        if answer.place:
            answer.card = item_cards(now, [card])[0]
        return render_answer(answer, template=template, filters=filters)
    mine = instance.is_active and instance.assignee_id == current_user.id
    card = boards.card(instance.id, current_user) if mine else None
    answer = CardAnswer("item", "work", message, category, fix=fix)
    if card is None:
        answer.gone = f"work-{instance.id}"
    else:
        answer.card, answer.place = item_cards(now, [card])[0], "true"
    return render_answer(answer)


def _shown_until(keys: set[str]) -> dict:
    """Where each column's shown cards end, as its "Show more" input says (a column without
    one shows all its cards)."""
    cursors = {key: boards.Cursor.parse(request.form.get(f"after-{key}")) for key in keys}
    return {key: cursor for key, cursor in cursors.items() if cursor is not None}


def _place(template, column, card, filters, now) -> str:
    """Where the moved card goes in its new column: among the cards the page shows, before
    the one that follows it; "" when it comes after them (the column's "Show more" counts
    it instead). A stage the current version no longer has is a column of its own: at its end."""
    if column is None:
        return f"beforeend:#cards-{card.stage_key}"
    if column.after is not None and boards.Cursor.of(card).order > column.after.order:
        return ""
    following = boards.next_in_column(template, column, card, current_user, filters, now)
    if following is None:
        return f"beforeend:#cards-{card.stage_key}"
    return f"beforebegin:#card-{following}"


def acted(instance_id: int, event: Event, source_key: str, origin: str):
    instance = db.session.get(ProcessInstance, instance_id)
    message = describe(event, instance)
    if request.htmx:
        return _answer(instance, message, "success", {source_key, instance.stage.key}, origin)
    flash(message, "success")
    return redirect(_back(instance, origin))


def refused(instance_id: int, error, origin: str = ""):
    """The action was refused: say why, and show the item as it is now."""
    instance = db.session.get(ProcessInstance, instance_id)
    if instance is None or error.status == 404:
        abort(404)
    if request.htmx:
        fix = ""
        if isinstance(error, field_rules.MissingFields):  # the field, on the item's page
            fix = url_for(
                "items.show", instance_id=instance_id, _anchor=f"input-field-{error.keys[0]}"
            )
        return _answer(instance, str(error.message), "error", None, origin, fix), error.status
    flash(str(error.message), "error")
    if not isinstance(error, field_rules.MissingFields):  # what is stored now is shown
        return item_page(instance), error.status
    typed = {key: request.form.getlist(key)[-1] for key in request.form}
    return item_page(instance, missing=error.keys, posted=typed), error.status


def item_page(instance: ProcessInstance, *, missing=(), posted=None) -> str:
    """The full item page for the current user; after a refusal, the ``missing`` fields say
    so where they are, and what was typed (``posted``) is still in the boxes."""
    fields = instance.version.fields
    people = company.active_users()
    watchers = discussion.watchers(instance)
    events = history.events(instance)
    return render_template(
        "items/show.html",
        item=instance,
        now=clock.now(),
        actions=engine.available_actions(instance, current_user),
        manager_actions=engine.available_manager_actions(instance, current_user),
        editable=field_rules.editable_at(instance.stage, fields) if instance.is_active else [],
        visible=field_rules.visible_at(instance.stage, fields),
        path=history.stage_path(instance, events),
        events=events,
        sent_back=history.sent_back(instance, events),
        comments=discussion.comments(instance),
        watchers=watchers,
        removable={w.id for w in watchers if discussion.may_remove(current_user, w, instance)},
        people=people,
        watch_people=[p for p in people if discussion.may_watch(current_user, instance, user=p)],
        people_names={p.id: p.name for p in people},
        watch_departments=[
            d
            for d in company.departments()
            if discussion.may_watch(current_user, instance, department=d)
        ],
        form=EmptyForm(),
        missing={key: _("Fill this in to hand the item on.") for key in missing},
        posted=posted or {},
    )
