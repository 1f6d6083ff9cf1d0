"""Tasks: the task page, create and edit, status moves (in place with htmx), checklist,
dependencies, attachments, comments and watchers."""

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from mkflow.activity import discussion
from mkflow.blueprints.errors import domain_error
from mkflow.blueprints.projects.forms import LINK_LABELS, LinkForm, TaskForm
from mkflow.blueprints.projects.routes import board_columns_context, bp, people_choices
from mkflow.core.database import db
from mkflow.core.errors import DomainError
from mkflow.core.formatting import user_today
from mkflow.models import Department, Event, Project, Task, TaskStatus, User
from mkflow.people import company, project_access
from mkflow.projects import attachments, listing, planning
from mkflow.projects import tasks as domain
from mkflow.projects.status import STATUS_LABELS
from mkflow.web.actions import perform
from mkflow.web.cards import CardAnswer, prepare_rows, render_answer, row_labels, work_tasks
from mkflow.web.forms import EmptyForm
from mkflow.web.http import arg_id, posted_id, posted_int, posted_row, posted_version, safe_next
from mkflow.web.loaders import project_or_404, task_or_404


def _live_task_or_404(task_id: int) -> Task:
    """A task whose project is not archived (an archive is read-only for everybody)."""
    task = task_or_404(task_id)
    if task.project.archived_at is not None:
        raise DomainError(_("The project is archived."))
    return task


def _tell_moved(moved: list) -> None:
    """ "3 tasks moved: …" after the scheduler shifted dependent tasks."""
    if not moved:
        return
    names = ", ".join(f"«{m.title}»" for m in moved[:10]) + ("…" if len(moved) > 10 else "")
    flash(
        ngettext(
            "%(num)d task moved: %(names)s.",
            "%(num)d tasks moved: %(names)s.",
            len(moved),
            names=names,
        ),
        "info",
    )


def _task_form(project: Project, task: Task | None = None) -> TaskForm:
    form = TaskForm(obj=task)
    people = people_choices(project_access.member_choices(project))
    form.assignee_id.choices = people
    form.reviewer_id.choices = people
    if task is None and not form.is_submitted():
        form.parent_id.data = arg_id("parent")
        form.start_date.data = user_today()
    return form


def _render_task_form(form: TaskForm, project: Project, task: Task | None):
    """The form page; the parent choices (every task of the project, as a tree) are read
    only here: a submitted parent is checked by the domain, not against this list."""
    form.parent_id.choices = [SelectChoice(None, "—")] + [
        SelectChoice(task_id, "· " * depth + title)
        for task_id, depth, title in listing.outline(project)
        if task is None or task_id != task.id
    ]
    status = 422 if form.is_submitted() else 200
    return render_template("projects/task_form.html", form=form, project=project, task=task), status


def _task_data(form: TaskForm) -> domain.TaskData:
    def person(field):
        return db.session.get(User, field.data) if field.data else None

    return domain.TaskData(
        title=form.title.data,
        description=form.description.data or "",
        assignee=person(form.assignee_id),
        reviewer=person(form.reviewer_id),
        start_date=form.start_date.data,
        due_date=form.due_date.data,
        days=form.days.data,
        milestone=form.milestone.data,
        parent_id=form.parent_id.data,
    )


@bp.route("/<int:project_id>/tasks/new", methods=["GET", "POST"])
def new_task(project_id):
    project = project_or_404(project_id)
    if not project_access.can_work(current_user, project):
        abort(403)
    form = _task_form(project)
    if form.validate_on_submit():
        try:
            task, moved = domain.create_task(project, current_user, _task_data(form))
        except DomainError as refused:
            db.session.rollback()
            form.form_errors.append(refused.message)
        else:
            db.session.commit()
            flash(_("Task “%(title)s” created.", title=task.title), "success")
            _tell_moved(moved)
            return redirect(url_for("projects.task", task_id=task.id))
    return _render_task_form(form, project, None)


@bp.route("/tasks/<int:task_id>/edit", methods=["GET", "POST"])
def edit_task(task_id):
    task = task_or_404(task_id)
    project = task.project
    if not project_access.can_work(current_user, project):
        abort(403)
    form = _task_form(project, task)
    if form.validate_on_submit():
        try:
            moved = domain.update_task(
                task, current_user, _task_data(form), expected_version=posted_version()
            )
            db.session.commit()
        except DomainError as refused:
            db.session.rollback()
            form.form_errors.append(refused.message)
        else:
            flash(_("Saved."), "success")
            _tell_moved(moved)
            return redirect(url_for("projects.task", task_id=task.id))
    return _render_task_form(form, project, task)


@bp.route("/tasks/<int:task_id>")
def task(task_id):
    """Everything about a task: status and moves, dates, subtasks, checklist, links,
    files, comments, watchers and history."""
    return _task_page(task_or_404(task_id))


@bp.errorhandler(DomainError)
def refused(error: DomainError):
    """A refused change of a task shows the task page with the reason and a 4xx status;
    nothing that was typed into the project or task form is lost (those re-render)."""
    task_id = (request.view_args or {}).get("task_id")
    if error.status == 404 or task_id is None:
        return domain_error(error)  # the error page every other view gives
    db.session.rollback()
    return _task_page(task_or_404(task_id), error=str(error.message)), error.status


def _task_page(task: Task, error: str | None = None):
    project = task.project
    is_manager = project_access.is_manager(current_user, project)
    subtasks = listing.as_tree(
        listing.plain_rows(
            project, user_today(), None, listing.among(Task.id, domain.descendants(task))
        )
    )
    predecessors, successors = domain.links(task)
    watchers = discussion.watchers(task)
    broken = set() if project.auto_schedule else planning.broken_links(project.id)
    link_form = LinkForm(formdata=None)
    link_form.predecessor_id.choices = [
        SelectChoice(task_id, "· " * depth + title)
        for task_id, depth, title in listing.outline(project)
        if task_id != task.id
    ]
    return render_template(
        "projects/task.html",
        task=task,
        project=project,
        is_manager=is_manager,
        can_work=project_access.can_work(current_user, project),
        moves=domain.allowed_moves(task, current_user, is_manager=is_manager),
        blockers=domain.open_predecessors(task),
        subtasks=subtasks,
        checklist=domain.checklist(task),
        predecessors=predecessors,
        successors=successors,
        broken=broken,
        link_form=link_form,
        link_labels=LINK_LABELS,
        files=attachments.of_task(task),
        max_mb=attachments.limit_text(),
        comments=discussion.comments(task),
        watchers=watchers,
        removable={w.id for w in watchers if discussion.may_remove(current_user, w, task)},
        history=_history(task),
        watch_people=[
            p for p in company.active_users() if discussion.may_watch(current_user, task, user=p)
        ],
        watch_departments=[
            d
            for d in company.departments()
            if discussion.may_watch(current_user, task, department=d)
        ],
        form=EmptyForm(),
        error=error,
    )


def _history(task: Task) -> list[Event]:
    query = db.select(Event).where(Event.task_id == task.id).order_by(Event.at, Event.id)
    return list(db.session.scalars(query))


def _back(task: Task) -> str:
    origin = request.form.get("from")
    if origin == "board":
        return url_for("projects.board", project_id=task.project_id)
    if origin == "list":  # back to the same page, filters and sort of the list
        return safe_next(request.form.get("next")) or url_for(
            "projects.show", project_id=task.project_id
        )
    if origin == "me":
        return url_for("main.my_work")
    return url_for("projects.task", task_id=task.id)


@bp.route("/tasks/<int:task_id>/move", methods=["POST"])
def move(task_id):
    """A status move from the board, the list, My work or the task page."""
    task = task_or_404(task_id)
    form = request.form
    source = task.status

    def refused(error: DomainError):
        if not _in_place():
            raise error  # the task page, with the reason
        return _answer(task, source, str(error.message), "error", refused=True), error.status

    def done(_result):
        status = str(STATUS_LABELS[task.status])
        message = _("“%(title)s”: %(status)s.", title=task.title, status=status)
        if _in_place():
            return _answer(task, source, message, "success")
        flash(message, "success")
        return redirect(_back(task))

    return perform(
        lambda: domain.move(
            task,
            current_user,
            form.get("move", ""),
            comment=form.get("comment", ""),
            override=form.get("override") == "1",
            expected_version=posted_version(),
        ),
        done=done,
        refused=refused,
    )


def _in_place() -> bool:
    """An htmx move from the board or My work answers with what changed on that page."""
    return bool(request.htmx) and request.form.get("from") in ("board", "me")


def _answer(task: Task, source, message: str, category: str, *, refused: bool = False):
    """On the board: the card in its new column and the two column heads (after a refusal,
    the whole board as it is now, with the reason). On My work: the task's row as it is
    now, gone when it no longer waits for the user."""
    project = task.project
    if request.form.get("from") == "me":
        answer = CardAnswer("task", "work", message, category)
        mine = listing.my_task(current_user, task.id)
        if mine is None:
            answer.gone = f"mytask-{task.id}"
        else:
            answer.card = work_tasks([mine], current_user, user_today())[0]
            answer.place = "true"
        return render_answer(answer, labels=row_labels())
    if refused:
        answer = CardAnswer("task", "board", message, category, board="projects/_columns.html")
        return render_answer(
            answer, project=project, error=message, **board_columns_context(project)
        )
    row, heads = listing.board_update(
        project,
        task.id,
        {source, task.status},
        current_user,
        user_today(),
        is_manager=project_access.is_manager(current_user, project),
    )
    answer = CardAnswer("task", "board", message, category, gone=f"task-{task.id}", heads=heads)
    if row is not None:
        prepare_rows([row])
        newest_first = row.status == TaskStatus.DONE
        answer.card = row
        answer.place = f"{'afterbegin' if newest_first else 'beforeend'}:#tasks-{row.status}"
    return render_answer(answer, labels=row_labels())


@bp.route("/tasks/<int:task_id>/delete", methods=["POST"])
def delete_task(task_id):
    task = task_or_404(task_id)
    project_id, title = task.project_id, task.title
    domain.delete_task(task, current_user)
    db.session.commit()
    flash(_("Task “%(title)s” deleted.", title=title), "success")
    return redirect(url_for("projects.show", project_id=project_id))


def _back_to(task: Task, section: str):
    db.session.commit()
    return redirect(url_for("projects.task", task_id=task.id, _anchor=section))


@bp.route("/tasks/<int:task_id>/checklist", methods=["POST"])
def add_check(task_id):
    task = task_or_404(task_id)
    domain.add_check(task, current_user, request.form.get("text", ""))
    return _back_to(task, "checklist")


@bp.route(
    "/tasks/<int:task_id>/checklist/<int:item_id>/<any(toggle, delete):action>", methods=["POST"]
)
def change_check(task_id, item_id, action):
    task = task_or_404(task_id)
    (domain.toggle_check if action == "toggle" else domain.remove_check)(
        task, current_user, item_id
    )
    return _back_to(task, "checklist")


@bp.route("/tasks/<int:task_id>/links", methods=["POST"])
def add_link(task_id):
    """This task now depends on another one; dependent dates move at once."""
    task = task_or_404(task_id)
    _link, moved = domain.add_link(
        task,
        current_user,
        posted_id("predecessor_id") or 0,
        request.form.get("kind", "fs"),
        posted_int("lag"),
    )
    _tell_moved(moved)
    return _back_to(task, "links")


@bp.route("/tasks/<int:task_id>/links/<int:link_id>/delete", methods=["POST"])
def remove_link(task_id, link_id):
    task = task_or_404(task_id)
    domain.remove_link(task, current_user, link_id)
    return _back_to(task, "links")


@bp.route("/tasks/<int:task_id>/files", methods=["POST"])
def upload(task_id):
    task = task_or_404(task_id)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise DomainError(_("Choose a file first."))
    attachments.save(task, current_user, upload.filename, upload.stream)
    return _back_to(task, "files")


@bp.route("/tasks/<int:task_id>/files/<int:file_id>")
def download(task_id, file_id):
    """Served only to those who see the task; never rendered as a page of our site."""
    attachment = attachments.get(task_or_404(task_id), file_id)
    inline = attachment.content_type != "application/octet-stream"
    response = send_file(
        attachments.path_of(attachment),
        mimetype=attachment.content_type,
        as_attachment=not inline,
        download_name=attachment.filename,
        max_age=0,
    )
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/tasks/<int:task_id>/files/<int:file_id>/delete", methods=["POST"])
def remove_file(task_id, file_id):
    task = task_or_404(task_id)
    path = attachments.remove(task, current_user, file_id)
    response = _back_to(task, "files")
    path.unlink(missing_ok=True)
    return response


@bp.route("/tasks/<int:task_id>/comments", methods=["POST"])
def comment(task_id):
    task = _live_task_or_404(task_id)
    discussion.add_comment(task, current_user, request.form.get("body", ""))
    return _back_to(task, "comments")


@bp.route("/tasks/<int:task_id>/watchers", methods=["POST"])
def add_watcher(task_id):
    task = _live_task_or_404(task_id)
    discussion.add_watcher(
        task,
        current_user,
        user=posted_row(User, "user_id"),
        department=posted_row(Department, "department_id"),
    )
    return _back_to(task, "watchers")


@bp.route("/tasks/<int:task_id>/watchers/<int:watcher_id>/delete", methods=["POST"])
def remove_watcher(task_id, watcher_id):
    task = task_or_404(task_id)
    discussion.remove_watcher(task, current_user, watcher_id)
    return _back_to(task, "watchers")
