"""The markup of cards on boards ("board") and of rows on My work ("work").

A board prints hundreds of cards. As a Jinja loop, each card cost about thirty output
expressions, each an attribute look-up and an escape; written here, a card is a few string
joins and only its texts are escaped. The output is the same, byte for byte, as the loop it
replaced (processes/_cards.html still holds the macro that templates call).

Every value from the database or a translation goes through ``escape``; numbers are written
with ``str``.
"""

from markupsafe import Markup, escape

from mkflow.core.inputs import COMMENT_LIMIT


class CardMarkup:
    """Prints cards for one page: the labels and the CSRF token are escaped once."""

    def __init__(self, labels, csrf: str):
        self.actions = {action: escape(label) for action, label in labels.actions.items()}
        self.reject, self.fix = escape(labels.reject), escape(labels.fix)
        self.send_back, self.unassigned = escape(labels.send_back), escape(labels.unassigned)
        self.returned = escape(labels.returned)
        self.csrf = escape(csrf)

    def __call__(self, items, layout: str = "board", origin="", oob: bool = False) -> Markup:
        origin = escape(origin)
        return Markup("".join(self._card(item, layout, origin, oob) for item in items))

    def _card(self, item, layout: str, origin: str, oob: bool) -> str:
        if layout == "board":
            head = self._board_head(item)
            tail = f'<span class="muted small">{escape(item.age_text)}</span>'
        else:
            head, tail = self._work_head(item, oob), "</div>"
        return (
            f"{head}\n    {self._due(item)}\n    {self._rework(item)}\n    {tail}\n  </div>\n  "
            f"{self._form(item, origin)}\n</li>\n"
        )

    def _board_head(self, item) -> str:
        late = " is-overdue" if item.late else ""
        if item.assignee_name:
            name = escape(item.assignee_name)
            who = (
                f'<span class="avatar small" title="{name}" aria-label="{name}">'
                f"{escape(item.assignee_initials)}</span>\n    "
            )
        else:
            who = f'<span class="badge">{self.unassigned}</span>'
        if item.url:
            title = f'<a class="card-title" href="{escape(item.url)}">{escape(item.title)}</a>'
        else:  # a share link's card: plain text
            title = f'<span class="card-title">{escape(item.title)}</span>'
        return (
            f'\n\n<li class="card-item tpl-{item.template_id}{late}" id="card-{item.id}">\n'
            f"  {title}\n"
            f'  <div class="card-meta">\n    {who}\n'
        )

    def _work_head(self, item, oob: bool) -> str:
        late = " is-overdue" if item.late else ""
        swap = ' hx-swap-oob="true"' if oob else ""
        return (
            f'\n\n<li class="work-item tpl-{item.template_id}{late}" id="work-{item.id}"{swap}>\n'
            f'  <div class="work-main">\n'
            f'    <a class="card-title" href="{escape(item.url)}">{escape(item.title)}</a>\n'
            f'    <div class="card-meta">\n'
            f'      <span class="muted">{escape(item.template_name)} · '
            f"<strong>{escape(item.stage_name)}</strong></span>\n"
        )

    @staticmethod
    def _due(item) -> str:
        if not item.due_text:
            return ""
        late = " overdue" if item.late else ""
        return f'<span class="due{late}">{escape(item.due_text)}</span>'

    def _rework(self, item) -> str:
        if not item.rework_count:
            return ""
        return (
            f'<span class="badge badge-rework" title="{self.returned}">↺ {item.rework_count}</span>'
        )

    def _form(self, item, origin: str) -> str:
        """The card's actions: a plain post that htmx boosts."""
        if not item.actions:
            return ""
        buttons = "".join(f"\n      {self._button(item, action)}\n    " for action in item.actions)
        return (
            f'\n  <form method="post" action="{escape(item.act_url)}" class="card-actions" '
            f'hx-boost="true">\n'
            f'    <input type="hidden" name="csrf_token" value="{self.csrf}">'
            f'<input type="hidden" name="version" value="{item.lock_version}">'
            f'<input type="hidden" name="from" value="{origin}">\n    {buttons}\n  </form>\n  '
        )

    def _button(self, item, action: str) -> str:
        if action == "reject":
            return (
                f'\n        <details class="reject">\n'
                f'          <summary class="button small">{self.reject}</summary>\n'
                f'          <label for="reject-{item.id}">{self.fix}</label>\n'
                f'          <textarea id="reject-{item.id}" name="comment" rows="3"'
                f' maxlength="{COMMENT_LIMIT}"></textarea>\n'
                f'          <button class="button small danger" name="action" value="reject">'
                f"{self.send_back}</button>\n        </details>\n      "
            )
        return (
            f'\n        <button class="button small primary" name="action" '
            f'value="{escape(action)}">{self.actions[action]}</button>\n      '
        )
