"""What the item page, the boards and My work post about a running item."""

from wtforms import StringField

from mkflow.web.forms import CardActionForm, Form, IdField, KeyedValues, VersionField


class ActForm(CardActionForm):
    """A stage action (complete, approve, reject, publish); from the item page it carries the
    stage's fields (``with_fields``, field-<key>)."""

    action = StringField(default="")
    comment = StringField(default="")
    with_fields = StringField(default="")
    field = KeyedValues()
    version = VersionField()


class FieldsForm(Form):
    """The current stage's fields, saved without handing the item on."""

    field = KeyedValues()
    version = VersionField()


class ManageForm(Form):
    """A manager's action: reassign (``user_id``), move back (``stage_key``) or cancel."""

    comment = StringField(default="")
    user_id = IdField()
    stage_key = StringField(default="")
    version = VersionField()
