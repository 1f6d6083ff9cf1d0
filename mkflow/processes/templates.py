"""Editing process templates: a draft version is edited, checked, and published.

Published versions never change, so running items finish on the version they started on.
"""

import re
import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from mkflow.core import clock
from mkflow.core.database import db
from mkflow.core.errors import DomainError, NotFound, PermissionDenied
from mkflow.core.text import slugify
from mkflow.models import (
    FieldDef,
    FieldMode,
    FieldType,
    Group,
    ProcessInstance,
    ProcessTemplate,
    Responsible,
    Role,
    Stage,
    StageKind,
    TemplateVersion,
    User,
)
from mkflow.people.process_access import can_manage_template
from mkflow.processes.rules import Problem, StageSpec, validate

COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
STAGE_COLUMNS = (
    "name",
    "kind",
    "responsible",
    "user_id",
    "group_id",
    "pick_rule",
    "role",
    "due_amount",
    "due_unit",
    "instructions",
    "reject_to_key",
    "field_modes",
)
FIELD_COLUMNS = ("label", "type", "required", "at_launch", "default", "choices")


def new_key(prefix: str) -> str:
    return f"{prefix}{secrets.token_hex(4)}"


def problems_of(version: TemplateVersion) -> list[Problem]:
    specs = [
        StageSpec(
            key=s.key,
            name=s.name,
            kind=StageKind(s.kind),
            responsible=Responsible(s.responsible) if s.responsible else None,
            has_holder=_has_holder(s),
            reject_to_key=s.reject_to_key,
        )
        for s in version.stages
    ]
    return validate(specs)


def _has_holder(stage: Stage) -> bool:
    match stage.responsible:
        case Responsible.USER:
            return stage.user_id is not None
        case Responsible.GROUP:
            return stage.group_id is not None
        case Responsible.ROLE:
            return bool(stage.role.strip())
        case Responsible.LAUNCHER:
            return True
    return False


def can_create_templates(user: User) -> bool:
    return user.is_admin or user.role == Role.HEAD


def require_manager(actor: User, template: ProcessTemplate) -> None:
    if not can_manage_template(actor, template):
        raise PermissionDenied(
            _l("Only the department head or an administrator can edit this process.")
        )


def _check_settings(actor: User, name: str, department, color: str) -> None:
    if not (name or "").strip():
        raise DomainError(_l("Give the process a name."))
    if not COLOR.match(color or ""):
        raise DomainError(_l("Choose a colour like #2454c5."))
    if not actor.is_admin and (department is None or department.head_id != actor.id):
        raise PermissionDenied(_l("You can create processes only for the department you head."))


def _unique_slug(name: str) -> str:
    base = slugify(name)[:70]
    taken = set(
        db.session.scalars(
            select(ProcessTemplate.slug).where(ProcessTemplate.slug.like(f"{base}%"))
        )
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def create_template(
    actor: User,
    *,
    name: str,
    description: str = "",
    department=None,
    color: str = "#2454c5",
    slug: str | None = None,
) -> ProcessTemplate:
    """A new template with an empty draft, to be filled in the editor."""
    _check_settings(actor, name, department, color)
    template = ProcessTemplate(
        name=name.strip(),
        description=(description or "").strip(),
        department=department,
        color=color,
        slug=slug or _unique_slug(name),
    )
    db.session.add(template)
    db.session.add(TemplateVersion(template=template, number=1))
    db.session.flush()
    return template


def update_settings(
    actor: User,
    template: ProcessTemplate,
    *,
    name,
    description,
    department,
    color,
    escalate_overdue: bool | None = None,
) -> None:
    """Save the template's own settings; ``escalate_overdue`` None keeps that one."""
    require_manager(actor, template)
    _check_settings(actor, name, department, color)
    template.name = name.strip()
    template.description = (description or "").strip()
    template.department = department
    template.color = color
    if escalate_overdue is not None:
        template.escalate_overdue = bool(escalate_overdue)
    db.session.flush()


def draft_of(template: ProcessTemplate) -> TemplateVersion | None:
    return next((v for v in template.versions if v.is_draft), None)


def _copy_version(source: TemplateVersion, target: TemplateVersion) -> None:
    for field in source.fields:
        target.fields.append(
            FieldDef(
                key=field.key,
                position=field.position,
                **{c: getattr(field, c) for c in FIELD_COLUMNS},
            )
        )
    for stage in source.stages:
        target.stages.append(
            Stage(
                key=stage.key,
                position=stage.position,
                **{c: getattr(stage, c) for c in STAGE_COLUMNS},
            )
        )


def ensure_draft(actor: User, template: ProcessTemplate) -> TemplateVersion:
    """The version being edited; made from the current one on the first edit."""
    require_manager(actor, template)
    draft = draft_of(template)
    if draft is None:
        number = max(v.number for v in template.versions) + 1
        draft = TemplateVersion(template=template, number=number)
        db.session.add(draft)
        _copy_version(template.current_version, draft)
        db.session.flush()
    return draft


def _renumber(items) -> None:
    for position, item in enumerate(items):
        item.position = position


def clean_modes(modes: dict) -> dict:
    """Field modes from a form; anything unknown is refused."""
    try:
        return {key: FieldMode(mode).value for key, mode in modes.items()}
    except ValueError:
        raise DomainError(_l("Choose how each field appears at this stage.")) from None


def find_stage(draft: TemplateVersion, key: str) -> Stage:
    return _stage(draft, key)


def _stage(draft: TemplateVersion, key: str) -> Stage:
    stage = next((s for s in draft.stages if s.key == key), None)
    if stage is None:
        raise NotFound(_l("There is no such stage."))
    return stage


def _field(draft: TemplateVersion, key: str) -> FieldDef:
    field = next((f for f in draft.fields if f.key == key), None)
    if field is None:
        raise NotFound(_l("There is no such field."))
    return field


def add_stage(
    actor: User, template: ProcessTemplate, *, name: str, kind: str = StageKind.WORK, **settings
) -> Stage:
    """A new stage, placed before the stages that end the process (the wait for the
    publication date and the final stage): work added to a process is done before that."""
    draft = ensure_draft(actor, template)
    if not (name or "").strip():
        raise DomainError(_l("Give the stage a name."))
    stage = Stage(
        key=new_key("s"),
        name=name.strip()[:160],
        kind=StageKind(kind),
        field_modes={},
        position=len(draft.stages),
        **settings,
    )
    stages = list(draft.stages)
    at = len(stages)
    while at > 0 and stages[at - 1].kind in (StageKind.FINAL, StageKind.WAIT):
        at -= 1
    stages.insert(at, stage)
    draft.stages[:] = stages
    _renumber(draft.stages)
    if stage.kind == StageKind.APPROVAL and not stage.reject_to_key and at > 0:
        stage.reject_to_key = stages[at - 1].key
    db.session.flush()
    return stage


def update_stage(actor: User, template: ProcessTemplate, key: str, **changes) -> Stage:
    draft = ensure_draft(actor, template)
    stage = _stage(draft, key)
    if "name" in changes and not (changes["name"] or "").strip():
        raise DomainError(_l("Give the stage a name."))
    if changes.get("due_amount", 0) < 0:
        raise DomainError(_l("The time limit cannot be negative."))
    if changes.get("user_id") and not db.session.get(User, changes["user_id"]):
        raise DomainError(_l("Choose a person from the list."))
    if changes.get("group_id") and not db.session.get(Group, changes["group_id"]):
        raise DomainError(_l("Choose a group from the list."))
    reject_to = changes.get("reject_to_key")
    if reject_to and reject_to not in {s.key for s in draft.stages}:
        raise DomainError(_l("Choose an earlier stage for rejected work."))
    for column, value in changes.items():
        if column not in STAGE_COLUMNS:
            raise ValueError(column)
        setattr(stage, column, value.strip() if isinstance(value, str) else value)
    if stage.kind != StageKind.APPROVAL:
        stage.reject_to_key = None
    db.session.flush()
    return stage


def _move(collection: list, item, offset: int) -> None:
    """Move ``item`` by ``offset`` places (clamped at the ends) and renumber."""
    items = list(collection)
    index = items.index(item)
    items.insert(min(max(index + offset, 0), len(items) - 1), items.pop(index))
    collection[:] = items
    _renumber(collection)
    db.session.flush()


def move_stage(actor: User, template: ProcessTemplate, key: str, offset: int) -> None:
    draft = ensure_draft(actor, template)
    _move(draft.stages, _stage(draft, key), offset)


def remove_stage(actor: User, template: ProcessTemplate, key: str) -> None:
    draft = ensure_draft(actor, template)
    stage = _stage(draft, key)
    draft.stages.remove(stage)
    for other in draft.stages:
        if other.reject_to_key == key:
            other.reject_to_key = None
    _renumber(draft.stages)
    db.session.flush()


def add_field(
    actor: User, template: ProcessTemplate, *, label: str, type: str = FieldType.TEXT, **settings
) -> FieldDef:
    draft = ensure_draft(actor, template)
    if not (label or "").strip():
        raise DomainError(_l("Give the field a name."))
    field = FieldDef(
        key=new_key("f"),
        label=label.strip()[:160],
        type=FieldType(type),
        position=len(draft.fields),
        **({"at_launch": True} | settings),  # asked at launch unless said otherwise
    )
    draft.fields.append(field)
    db.session.flush()
    return field


def update_field(actor: User, template: ProcessTemplate, key: str, **changes) -> FieldDef:
    draft = ensure_draft(actor, template)
    field = _field(draft, key)
    if "label" in changes and not (changes["label"] or "").strip():
        raise DomainError(_l("Give the field a name."))
    for column, value in changes.items():
        if column not in FIELD_COLUMNS:
            raise ValueError(column)
        setattr(field, column, value.strip() if isinstance(value, str) else value)
    if field.type == FieldType.CHOICE and not field.choice_list:
        raise DomainError(_l("List the options of “%(field)s”, one per line.", field=field.label))
    db.session.flush()
    return field


def move_field(actor: User, template: ProcessTemplate, key: str, offset: int) -> None:
    draft = ensure_draft(actor, template)
    _move(draft.fields, _field(draft, key), offset)


def remove_field(actor: User, template: ProcessTemplate, key: str) -> None:
    draft = ensure_draft(actor, template)
    draft.fields.remove(_field(draft, key))
    for stage in draft.stages:
        if key in (stage.field_modes or {}):
            stage.field_modes = {k: v for k, v in stage.field_modes.items() if k != key}
    _renumber(draft.fields)
    db.session.flush()


def publish(actor: User, template: ProcessTemplate) -> TemplateVersion:
    """Make the draft the version new items start on; refused while it has problems."""
    require_manager(actor, template)
    draft = draft_of(template)
    if draft is None:
        raise DomainError(_l("There are no changes to publish."))
    problems = problems_of(draft)
    if problems:
        raise DomainError(
            _l("Fix these first: %(problems)s", problems=" ".join(str(p.message) for p in problems))
        )
    draft.published_at = clock.now()
    template.current_version = draft
    db.session.flush()
    return draft


def discard_draft(actor: User, template: ProcessTemplate) -> None:
    require_manager(actor, template)
    draft = draft_of(template)
    if draft is None:
        raise DomainError(_l("There is no draft to discard."))
    if template.current_version is None:
        raise DomainError(_l("There is no published version to go back to."))
    template.versions.remove(draft)
    db.session.flush()


def duplicate(actor: User, template: ProcessTemplate, name: str) -> ProcessTemplate:
    """A new template with the same fields and stages (say, a simplified "3 in 1" variant)."""
    require_manager(actor, template)
    source = draft_of(template) or template.current_version
    copy = create_template(
        actor,
        name=name or template.name,
        description=template.description,
        department=template.department,
        color=template.color,
    )
    _copy_version(source, copy.versions[0])
    db.session.flush()
    return copy


def set_archived(actor: User, template: ProcessTemplate, archived: bool) -> None:
    """Archived templates start nothing new; their running items go on."""
    require_manager(actor, template)
    template.archived = archived
    db.session.flush()


def instances_count(version: TemplateVersion) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(ProcessInstance)
        .where(ProcessInstance.version_id == version.id)
    )
