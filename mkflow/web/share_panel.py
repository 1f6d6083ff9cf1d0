"""The share section of a settings page (a project's, a process's, a department dashboard's):
its links and the form that makes one. Here, not in the share blueprint, so that the pages
that show it and the shared views stand apart."""

from datetime import timedelta

from flask import url_for
from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import InputRequired

from mkflow.core import clock
from mkflow.core.formatting import user_today
from mkflow.models import Department, Project
from mkflow.sharing import share_links
from mkflow.web.forms import DayField, Form


class ShareForm(Form):
    kind = SelectField(_l("What to share"), choices=[])
    expires_on = DayField(_l("Works until"), validators=[InputRequired()])


URL_TARGETS = {"project": "projects", "template": "processes", "department": "departments"}


def manage_url(target: share_links.Target) -> str:
    if isinstance(target, Project):
        return url_for("projects.settings", project_id=target.id, _anchor="share")
    if isinstance(target, Department):
        return url_for("dashboard.index", department=target.id, _anchor="share")
    return url_for("processes.edit", template_id=target.id, _anchor="share")


def share_form(target) -> ShareForm:
    form = ShareForm()
    form.kind.choices = [
        (kind, share_links.KINDS[kind].label) for kind in share_links.kinds_for(target)
    ]
    if not form.is_submitted():
        form.expires_on.data = user_today() + timedelta(days=30)
    return form


def share_panel(target: share_links.Target) -> dict:
    """What the share section of a settings page shows (share/_panel.html)."""
    return {
        "share_links": share_links.list_for(target),
        "share_form": share_form(target),
        "share_action": url_for(
            "share.create",
            target=URL_TARGETS[share_links.TARGET_NAMES[type(target)]],
            target_id=target.id,
        ),
        "share_kinds": share_links.KINDS,
        "share_now": clock.now(),
        "is_valid": share_links.is_valid,
    }
