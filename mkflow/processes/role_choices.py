"""Who the launch form offers for each role: the process's department first, with the person
who last held the role already chosen; a role that only approves starts with the
department's head, who set the work and expects to approve it."""

from dataclasses import dataclass

from sqlalchemy import select

from mkflow.core.database import db
from mkflow.models import ProcessInstance, ProcessTemplate, Responsible, StageKind, User
from mkflow.processes.engine import roles_of

# How many of the process's latest items are read for the last holders of its roles.
RECENT = 20


@dataclass(frozen=True)
class RoleChoice:
    name: str
    chosen_id: int | None
    department_name: str
    department: list[User]  # the process's department, offered first
    others: list[User]


def role_choices(template: ProcessTemplate, people: list[User]) -> list[RoleChoice]:
    """The template's roles in stage order; ``people``: the active people, by name."""
    roles = roles_of(template)
    department = template.department
    member_ids = {m.id for m in department.members} if department else set()
    active_ids = {p.id for p in people}
    last = _last_holders(template, roles)
    head_id = department.head_id if department else None
    approving = _approval_only(template)
    choices = []
    for role in roles:
        chosen = last.get(role)
        if chosen not in active_ids:
            chosen = head_id if role in approving and head_id in active_ids else None
        choices.append(
            RoleChoice(
                role,
                chosen,
                department.name if department else "",
                [p for p in people if p.id in member_ids],
                [p for p in people if p.id not in member_ids],
            )
        )
    return choices


def _last_holders(template: ProcessTemplate, roles: list[str]) -> dict[str, int]:
    query = (
        select(ProcessInstance.roles)
        .where(ProcessInstance.template_id == template.id)
        .order_by(ProcessInstance.id.desc())
        .limit(RECENT)
    )
    last: dict[str, int] = {}
    for filled in db.session.scalars(query):
        for role in roles:
            if role not in last and (filled or {}).get(role):
                last[role] = int(filled[role])
    return last


def _approval_only(template: ProcessTemplate) -> set[str]:
    stages = template.current_version.stages if template.current_version else []
    kinds: dict[str, set] = {}
    for stage in stages:
        if stage.responsible == Responsible.ROLE and stage.role:
            kinds.setdefault(stage.role, set()).add(stage.kind)
    return {role for role, seen in kinds.items() if seen == {StageKind.APPROVAL}}
