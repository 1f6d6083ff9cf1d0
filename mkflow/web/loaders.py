"""The rows a URL names, loaded for the current person: 404 when it does not exist or they
may not see it (an outsider learns nothing of what is there)."""

from flask import abort
from flask_login import current_user
from sqlalchemy.orm import joinedload

from mkflow.core.database import db
from mkflow.models import ProcessInstance, ProcessTemplate, Project, Task, TemplateVersion
from mkflow.people import project_access
from mkflow.people.process_access import can_view_instance, can_view_template


def visible_template_or_404(template_id: int) -> ProcessTemplate:
    # Its published version comes in the same query: the pages here read it.
    template = db.session.get(
        ProcessTemplate, template_id, options=[joinedload(ProcessTemplate.current_version)]
    )
    if template is None or not can_view_template(current_user, template):
        abort(404)
    return template


def instance_or_404(instance_id: int) -> ProcessInstance:
    # Its version and stages come in the same query: every page and action here reads them.
    instance = db.session.get(
        ProcessInstance,
        instance_id,
        options=[joinedload(ProcessInstance.version).joinedload(TemplateVersion.stages)],
    )
    if instance is None or not can_view_instance(current_user, instance):
        abort(404)
    return instance


def project_or_404(project_id: int) -> Project:
    project = db.session.get(Project, project_id)
    if project is None or not project_access.can_view(current_user, project):
        abort(404)
    return project


def task_or_404(task_id: int) -> Task:
    task = db.session.get(Task, task_id)
    if task is None or not project_access.can_view_task(current_user, task):
        abort(404)
    return task
