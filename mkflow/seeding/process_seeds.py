"""Process templates and demo items from seeds/ — loaded through the real engine."""

from datetime import timedelta

from sqlalchemy import select

from mkflow.core import clock
from mkflow.core.database import db
from mkflow.models import (
    Department,
    DueUnit,
    FieldDef,
    FieldType,
    Group,
    PickRule,
    ProcessInstance,
    ProcessSchedule,
    ProcessTemplate,
    Responsible,
    Stage,
    StageKind,
    TemplateVersion,
    User,
    Watcher,
)
from mkflow.processes import engine, schedules
from mkflow.seeding.company_seeds import SeedReport, pick_locale, read_seed


def _responsible(spec: str, locale_role: str, users, groups) -> dict:
    """ "launcher", "user:<email>", "group:<slug>[:<rule>]" or "role" (named by ``role``)."""
    kind, _, rest = spec.partition(":")
    if kind == "user":
        return {"responsible": Responsible.USER, "user_id": users[rest].id}
    if kind == "group":
        slug, _, rule = rest.partition(":")
        return {
            "responsible": Responsible.GROUP,
            "group_id": groups[slug].id,
            "pick_rule": PickRule(rule or "first"),
        }
    if kind == "role":
        return {"responsible": Responsible.ROLE, "role": locale_role}
    if kind == "launcher":
        return {"responsible": Responsible.LAUNCHER}
    return {}


def _due(spec: str) -> dict:
    """ "3d" is three working days, "4h" four hours."""
    if not spec:
        return {}
    unit = DueUnit.HOURS if spec.endswith("h") else DueUnit.DAYS
    return {"due_amount": int(spec[:-1]), "due_unit": unit}


def _build_template(item: dict, locale: str, users, groups, departments) -> ProcessTemplate:
    template = ProcessTemplate(
        slug=item["slug"],
        name=pick_locale(item["name"], locale),
        description=pick_locale(item.get("description", ""), locale),
        department=departments.get(item.get("department")),
        color=item.get("color", "#2454c5"),
    )
    version = TemplateVersion(template=template, number=1, published_at=clock.now())
    for position, field in enumerate(item.get("fields", [])):
        version.fields.append(
            FieldDef(
                key=field["key"],
                position=position,
                label=pick_locale(field["label"], locale),
                type=FieldType(field.get("type", "text")),
                required=field.get("required", False),
                at_launch=field.get("at_launch", False),
                default=pick_locale(field.get("default", ""), locale),
                choices="\n".join(pick_locale(c, locale) for c in field.get("choices", [])),
            )
        )
    for position, stage in enumerate(item["stages"]):
        version.stages.append(
            Stage(
                key=stage["key"],
                position=position,
                name=pick_locale(stage["name"], locale),
                kind=StageKind(stage.get("kind", "work")),
                instructions=pick_locale(stage.get("instructions", ""), locale),
                reject_to_key=stage.get("reject_to"),
                field_modes=dict(stage.get("fields", {})),
                **_responsible(
                    stage.get("responsible", ""),
                    pick_locale(stage.get("role", ""), locale),
                    users,
                    groups,
                ),
                **_due(stage.get("due", "")),
            )
        )
    db.session.add(template)
    db.session.flush()
    template.current_version = version
    return template


def load_processes(locale: str = "ru", path: str = "processes.toml") -> SeedReport:
    """The shipped process templates, each created once (matched on its slug)."""
    report = SeedReport()
    users = {u.email: u for u in db.session.scalars(select(User))}
    groups = {g.slug: g for g in db.session.scalars(select(Group))}
    departments = {d.slug: d for d in db.session.scalars(select(Department))}
    existing = set(db.session.scalars(select(ProcessTemplate.slug)))
    for item in read_seed(path)["templates"]:
        if item["slug"] not in existing:
            _build_template(item, locale, users, groups, departments)
            report.count("process templates")
    db.session.flush()
    return report


def load_demo_instances(locale: str = "ru", path: str = "demo/instances.toml") -> SeedReport:
    """Demo items, launched and moved by the engine with back-dated times."""
    report = load_demo_schedules(locale)
    if db.session.scalar(select(ProcessInstance.id).limit(1)) is not None:
        return report
    users = {u.email: u for u in db.session.scalars(select(User))}
    departments = {d.slug: d for d in db.session.scalars(select(Department))}
    templates = {t.slug: t for t in db.session.scalars(select(ProcessTemplate))}
    now, today = clock.now(), clock.company_today()
    for item in read_seed(path)["instances"]:
        template = templates[item["template"]]
        stages = {s.key: s for s in template.current_version.stages}
        at = now - timedelta(hours=item.get("hours_ago", 24 * item.get("days_ago", 1)))
        publish = item.get("publish_in_days")
        instance = engine.launch(
            template,
            users[item["launched_by"]],
            title=pick_locale(item["title"], locale),
            values={k: pick_locale(v, locale) for k, v in item.get("values", {}).items()},
            roles={stages[k].role: users[email].id for k, email in item.get("roles", {}).items()},
            deadline=today + timedelta(days=item["deadline_in_days"])
            if "deadline_in_days" in item
            else None,
            publish_on=today + timedelta(days=publish) if publish is not None else None,
            at=at,
        )
        step_hours = item.get("step_hours", 6)
        for step in item.get("steps", []):
            action, _, comment = step.partition(":")
            at += timedelta(hours=step_hours)
            engine.act(
                instance,
                instance.assignee,
                action,
                expected_version=None,
                comment=pick_locale(item.get("comments", {}).get(comment, comment), locale),
                values={
                    k: pick_locale(v, locale)
                    for k, v in item.get("stage_values", {}).get(instance.stage.key, {}).items()
                }
                or None,
                at=at,
            )
        for slug in item.get("watching_departments", []):
            db.session.add(Watcher(instance_id=instance.id, department=departments[slug]))
        report.count("process items")
    db.session.flush()
    return report


def load_demo_schedules(locale: str = "ru", path: str = "demo/schedules.toml") -> SeedReport:
    """Demo schedules, each made once (matched on its template and rule)."""
    report = SeedReport()
    users = {u.email: u for u in db.session.scalars(select(User))}
    templates = {t.slug: t for t in db.session.scalars(select(ProcessTemplate))}
    existing = set(db.session.execute(select(ProcessSchedule.template_id, ProcessSchedule.rule)))
    for item in read_seed(path)["schedules"]:
        template = templates.get(item["template"])
        if template is None or (template.id, item["rule"]) in existing:
            continue
        stages = {s.key: s for s in template.current_version.stages}
        schedules.create_schedule(
            template,
            users[item["launched_by"]],
            item["rule"],
            pick_locale(item["title"], locale),
            values={k: pick_locale(v, locale) for k, v in item.get("values", {}).items()},
            roles={stages[k].role: users[email].id for k, email in item.get("roles", {}).items()},
        )
        report.count("process schedules")
    db.session.flush()
    return report
