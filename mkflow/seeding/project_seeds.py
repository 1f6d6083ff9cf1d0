"""Project templates and demo projects from seeds/projects.toml.

Templates are written as rows; demo projects are made from them with the real "new project
from template" and moved along through the real status rules, so their history is genuine.
"""

from datetime import date, timedelta

from sqlalchemy import select

from mkflow.core import clock
from mkflow.core.database import db
from mkflow.core.richtext import render
from mkflow.models import (
    ChecklistItem,
    Department,
    MemberRole,
    Project,
    ProjectMember,
    Task,
    TaskLink,
    TaskStatus,
    User,
)
from mkflow.projects import copying, planning
from mkflow.projects import tasks as task_rules
from mkflow.projects.status import Move
from mkflow.seeding.company_seeds import SeedReport, pick_locale, read_seed


def _by_name(is_template: bool) -> dict[str, Project]:
    query = select(Project).where(Project.is_template.is_(is_template))
    return {p.name: p for p in db.session.scalars(query)}


def load_project_templates(locale: str = "ru", path: str = "projects.toml") -> SeedReport:
    """Create the templates that do not exist yet (matched by name)."""
    data = read_seed(path)
    report = SeedReport()
    existing = _by_name(True)
    users = {u.email: u for u in db.session.scalars(select(User))}
    departments = {d.slug: d for d in db.session.scalars(select(Department))}
    cal = planning.company_calendar()
    base = cal.roll_forward(clock.company_today())
    for item in data["templates"]:
        name = pick_locale(item["name"], locale)
        if name in existing:
            continue
        manager = users[item["manager"]]
        project = Project(
            name=name,
            description=pick_locale(item.get("description", ""), locale),
            department=departments[item["department"]],
            manager=manager,
            start_date=base,
            auto_schedule=item.get("auto_schedule", True),
            is_template=True,
            created_by_id=manager.id,
        )
        for member in item.get("members", []):
            duty = pick_locale(member.get("duty", ""), locale)
            project.members.append(
                ProjectMember(
                    user=users[member["user"]], role=MemberRole(member["role"]), duty=duty
                )
            )
        for observer in item.get("observers", []):
            project.members.append(
                ProjectMember(
                    department=departments[observer["department"]], role=MemberRole.OBSERVER
                )
            )
        db.session.add(project)
        db.session.flush()
        _template_tasks(project, item, users, cal, base, locale)
        existing[name] = project
        report.count("project templates")
    db.session.flush()
    return report


def _template_tasks(project, item, users, cal, base, locale) -> None:
    tasks: dict[str, Task] = {}
    for position, spec in enumerate(item["tasks"], start=1):
        start = cal.add(base, spec["start"])
        assignee = users.get(spec.get("assignee", ""))
        description = pick_locale(spec.get("description", ""), locale)
        task = Task(
            project=project,
            parent=tasks[spec["parent"]] if "parent" in spec else None,
            title=pick_locale(spec["title"], locale),
            description=description,
            description_html=render(description),
            assignee=assignee,
            reviewer=project.manager,
            author=project.manager,
            start_date=start,
            due_date=cal.due_for(start, spec["days"]),
            milestone=spec.get("milestone", False),
            position=position,
            status=TaskStatus.ASSIGNED,
        )
        db.session.add(task)
        tasks[spec["key"]] = task
    db.session.flush()
    for spec in item["tasks"]:
        for n, text in enumerate(spec.get("checklist", []), start=1):
            db.session.add(
                ChecklistItem(
                    task_id=tasks[spec["key"]].id, text=pick_locale(text, locale), position=n
                )
            )
    for link in item.get("links", []):
        db.session.add(
            TaskLink(
                project_id=project.id,
                predecessor_id=tasks[link["from"]].id,
                successor_id=tasks[link["to"]].id,
                kind=link["kind"],
                lag=link.get("lag", 0),
            )
        )


def load_demo_projects(locale: str = "ru", path: str = "projects.toml") -> SeedReport:
    """Projects made from the templates, moved along to where their dates say they are."""
    data = read_seed(path)
    report = SeedReport()
    templates = {item["slug"]: pick_locale(item["name"], locale) for item in data["templates"]}
    existing_templates, existing = _by_name(True), _by_name(False)
    cal = planning.company_calendar()
    today = clock.company_today()
    for item in data.get("projects", []):
        name = pick_locale(item["name"], locale)
        template = existing_templates.get(templates[item["template"]])
        if name in existing or template is None:
            continue
        project = copying.from_template(
            template,
            template.manager,
            name=name,
            start_date=cal.add(cal.roll_forward(today), item["start"]),
        )
        _advance(project, today)
        existing[name] = project
        report.count("projects")
    db.session.flush()
    return report


def _advance(project: Project, today: date) -> None:
    """Finished tasks are done, current ones in progress (or on review on their last day);
    leaves first, so that parents can be accepted after their subtasks. One finished-by-date
    task that nothing waits for stays in progress, so the demo shows an overdue task."""
    manager = project.manager
    cal = planning.company_calendar()
    tasks = list(db.session.scalars(select(Task).where(Task.project_id == project.id)))
    parents = {t.parent_id for t in tasks if t.parent_id}
    awaited = set(
        db.session.scalars(select(TaskLink.predecessor_id).where(TaskLink.project_id == project.id))
    )
    late = max(
        (t for t in tasks if t.id not in parents | awaited and t.due_date < today),
        key=lambda t: t.due_date,
        default=None,
    )
    leaves_first = sorted(tasks, key=lambda t: (t.id in parents, t.due_date or today, t.id))
    for task in leaves_first:
        if task.start_date is None or task.start_date > today:
            continue
        # Moved when its dates say, not at load time: started on its first day, handed in
        # and accepted on its last (one in five a working day after it: late).
        behind = task.id % 5 == 0 and task.due_date < today - timedelta(days=3)
        finish = cal.add(task.due_date, 1) if behind else task.due_date
        started = clock.company_moment(task.start_date, 10)
        steps = [(Move.START, started)]
        if task.due_date < today and task is not late and not task_rules.open_subtasks(task):
            steps += [
                (Move.SUBMIT, clock.company_moment(finish, 15)),
                (Move.ACCEPT, clock.company_moment(finish, 17)),
            ]
        elif task.due_date == today:
            steps += [(Move.SUBMIT, max(started, clock.company_moment(today, 15)))]
        for step, at in steps:
            if step == Move.ACCEPT:  # done work had its checklist ticked on the way
                for item in task_rules.checklist(task):
                    item.done = True
            task_rules.move(task, manager, step, at=min(at, clock.now()))
    db.session.flush()
