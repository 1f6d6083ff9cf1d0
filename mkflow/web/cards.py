"""Process cards made ready to print: their links and texts filled in one Python pass."""

from types import SimpleNamespace

from flask import url_for
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf

from mkflow.core.formatting import formatter
from mkflow.processes.board import is_overdue
from mkflow.processes.rules import Action
from mkflow.web.card_markup import CardMarkup


def card_context(now, cards=(), *, shared: bool = False) -> dict:
    """What every card on a page shares, prepared once, and each card's links and texts
    filled in one Python pass: a board prints hundreds and template calls add up. Cards
    of a share link (``shared``) link nowhere and carry no form."""
    labels = SimpleNamespace(
        actions={action: str(action.label) for action in Action},
        reject=_("Reject"),
        fix=_("What needs fixing?"),
        send_back=_("Send back for rework"),
        unassigned=_("Unassigned"),
        returned=_("Times returned for rework"),
    )
    overdue, due, in_stage = _("Overdue"), _("Due"), _("%(time)s in stage", time="{}")
    sentinel = "987654321"
    show = url_for("items.show", instance_id=int(sentinel))
    act = url_for("items.act", instance_id=int(sentinel))
    fmt = formatter()
    for card in cards:
        if not shared:
            card.url = show.replace(sentinel, str(card.id))
            card.act_url = act.replace(sentinel, str(card.id))
        card.late = is_overdue(card, now)
        if card.is_active:
            if card.stage_due_at:
                moment = fmt.when(card.stage_due_at)
                card.due_text = f"{overdue}: {moment}" if card.late else f"{due} {moment}"
            card.age_text = in_stage.replace("{}", fmt.duration(now - card.stage_entered_at))
        card.finished_text = fmt.when(card.finished_at)
    csrf = "" if shared else generate_csrf()
    return {"card_host": CARD_HOST, "card_markup": CardMarkup(labels, csrf)}


# On the element around cards: their boosted forms stay on the page and swap only the
# out-of-band parts of the answer.
CARD_HOST = 'hx-push-url="false" hx-swap="none"'
