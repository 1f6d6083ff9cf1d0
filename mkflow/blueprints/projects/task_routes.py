"""Tasks: the task page, create and edit, status moves (in place with htmx), checklist,
dependencies, attachments, comments and watchers."""

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from mkflow.activity import discussion, notify
from mkflow.blueprints.discussion import add_discussion_views
from mkflow.blueprints.projects.forms import (
    CheckForm,
    LinkForm,
    MoveForm,
    TaskForm,
    UploadForm,
)
from mkflow.blueprints.projects.routes import (
    board_columns_context,
    board_filters,
    bp,
    people_choices,
)
from mkflow.core.database import db
from mkflow.core.errors import DomainError, NeedsConfirmation
from mkflow.core.formatting import user_today
from mkflow.models import Event, Project, Task, TaskStatus, User
from mkflow.people import company, project_access
from mkflow.projects import attachments, listing, planning
from mkflow.projects import tasks as domain
from mkflow.web.actions import commit, perform, shown_in
from mkflow.web.cards import CardAnswer, prepare_rows, render_answer, row_labels, work_tasks
from mkflow.web.forms import EmptyForm
from mkflow.web.http import arg_id, safe_next
from mkflow.web.loaders import project_or_404, task_or_404


def _live(task: Task) -> Task:
    """Refuse a change to a task of an archived project (an archive is read-only for
    everybody)."""
    if task.project.archived_at is not None:
        raise DomainError(_("The project is archived."))
    return task


def _on_task_page(task: Task):
    """``refused`` of the task's actions: the task page with the reason, and a 4xx status."""
    return lambda error: (_task_page(task, error=str(error.message)), error.status)


def _back_to_section(task: Task, section: str):
    """``done`` of the task page's small forms: back to the section that changed."""
    return lambda _result: redirect(url_for("projects.task", task_id=task.id, _anchor=section))


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

    def done(created):
        task, moved = created
        flash(_("Task “%(title)s” created.", title=task.title), "success")
        _tell_moved(moved)
        return redirect(url_for("projects.task", task_id=task.id))

    if form.validate_on_submit():
        return perform(
            lambda: domain.create_task(project, current_user, _task_data(form)),
            done=done,
            refused=shown_in(form, lambda: _render_task_form(form, project, None)),
        )
    return _render_task_form(form, project, None)


@bp.route("/tasks/<int:task_id>/edit", methods=["GET", "POST"])
def edit_task(task_id):
    task = task_or_404(task_id)
    project = task.project
    if not project_access.can_work(current_user, project):
        abort(403)
    form = _task_form(project, task)

    def done(moved):
        flash(_("Saved."), "success")
        _tell_moved(moved)
        return redirect(url_for("projects.task", task_id=task.id))

    if form.validate_on_submit():
        return perform(
            lambda: domain.update_task(
                task, current_user, _task_data(form), expected_version=form.version.data
            ),
            done=done,
            refused=shown_in(form, lambda: _render_task_form(form, project, task)),
        )
    return _render_task_form(form, project, task)


@bp.route("/tasks/<int:task_id>")
def task(task_id):
    """Everything about a task: status and moves, dates, subtasks, checklist, links,
    files, comments, watchers and history. Opening it reads the notifications about it."""
    task = task_or_404(task_id)
    notify.mark_read_about(current_user, task=task)
    commit(keep_loaded=True)  # the page renders what was just loaded
    return _task_page(task)


def _task_page(task: Task, error: str | None = None, asked: str | None = None):
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
    blockers = domain.open_predecessors(task)
    moves = domain.allowed_moves(task, current_user, is_manager=is_manager)
    if not is_manager:  # Start would be refused: the page says what the task waits for
        moves = listing.card_moves(moves, blocked=bool(blockers))
    return render_template(
        "projects/task.html",
        task=task,
        project=project,
        is_manager=is_manager,
        can_work=project_access.can_work(current_user, project),
        moves=moves,
        blockers=blockers,
        subtasks=subtasks,
        checklist=domain.checklist(task),
        predecessors=predecessors,
        successors=successors,
        broken=broken,
        link_form=_link_form(task, formdata=None),
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
        asked=asked,
    )


def _link_form(task: Task, **kwargs) -> LinkForm:
    form = LinkForm(**kwargs)
    form.predecessor_id.choices = [
        SelectChoice(task_id, "· " * depth + title)
        for task_id, depth, title in listing.outline(task.project)
        if task_id != task.id
    ]
    return form


def _history(task: Task) -> list[Event]:
    query = db.select(Event).where(Event.task_id == task.id).order_by(Event.at, Event.id)
    return list(db.session.scalars(query))


def _back(task: Task, form) -> str:
    origin = form.origin.data
    if origin == "board":
        return url_for("projects.board", project_id=task.project_id)
    if origin == "list":  # back to the same page, filters and sort of the list
        return safe_next(form.next.data) or url_for("projects.show", project_id=task.project_id)
    if origin == "me":
        return url_for("main.my_work")
    return url_for("projects.task", task_id=task.id)


@bp.route("/tasks/<int:task_id>/move", methods=["POST"])
def move(task_id):
    """A status move from the board, the list, My work or the task page."""
    task = task_or_404(task_id)
    form = MoveForm()
    source = task.status

    # An htmx move from the board or My work answers with what changed on that page.
    in_place = bool(request.htmx) and form.origin.data in ("board", "me")

    def refused(error: DomainError):
        # A question (accept with open checklist items?) comes with the form that answers it.
        asked = form.move.data if isinstance(error, NeedsConfirmation) else None
        if not in_place:
            return _task_page(task, error=str(error.message), asked=asked), error.status
        message = str(error.message)
        answer = _answer(task, source, message, "error", form, refused=True, asked=asked)
        return answer, error.status

    def done(_result):
        status = str(task.status.label)
        message = _("“%(title)s”: %(status)s.", title=task.title, status=status)
        if in_place:
            return _answer(task, source, message, "success", form)
        flash(message, "success")
        return redirect(_back(task, form))

    return perform(
        lambda: domain.move(
            task,
            current_user,
            form.move.data or "",
            comment=form.comment.data or "",
            override=form.override.data == "1",
            confirmed=form.confirm.data == "1",
            expected_version=form.version.data,
        ),
        form=form,
        done=done,
        refused=refused,
        keep_loaded=in_place,  # the answer prints the task as just written: no read back
    )


def _answer(
    task: Task,
    source,
    message: str,
    category: str,
    form,
    *,
    refused: bool = False,
    asked: str | None = None,
):
    """On the board: the card in its new column and the two column heads (after a refusal,
    the whole board as it is now, with the reason). On My work: the task's row as it is
    now, gone when it no longer waits for the user."""
    project = task.project
    if form.origin.data == "me":
        answer = CardAnswer("task", "work", message, category)
        mine = listing.my_task(current_user, task.id)
        if mine is None:
            answer.gone = f"mytask-{task.id}"
        else:
            answer.card = work_tasks([mine], current_user, user_today())[0]
            answer.place = "true"
        return render_answer(answer, labels=row_labels(), asked=(task, asked) if asked else None)
    filters = board_filters(request.form)
    if refused:
        # The reason is shown on the board, where the move was refused (not twice).
        answer = CardAnswer("task", "board", "", category, board="projects/_columns.html")
        return render_answer(
            answer,
            project=project,
            error=message,
            asked=(task, asked) if asked else None,
            **board_columns_context(project, filters),
        )
    update = listing.board_update(
        project,
        task.id,
        {source, task.status},
        current_user,
        user_today(),
        is_manager=project_access.is_manager(current_user, project),
        filters=filters,
        cursors={s: request.form.get(f"after_{s}") for s in TaskStatus},
        dependents=(source == TaskStatus.DONE) != (task.status == TaskStatus.DONE),
    )
    answer = CardAnswer(
        "task",
        "board",
        message,
        category,
        gone=f"task-{task.id}",
        heads=update.columns,
        others=update.dependents,
    )
    prepare_rows(update.dependents)
    if update.row is not None:
        prepare_rows([update.row])
        answer.card = update.row
        answer.place = (
            f"beforebegin:#task-{update.next_id}"
            if update.next_id
            else f"beforeend:#tasks-{update.row.status}"
        )
    return render_answer(answer, labels=row_labels(), project=project, filters=filters)


@bp.route("/tasks/<int:task_id>/delete", methods=["POST"])
def delete_task(task_id):
    task = task_or_404(task_id)
    project_id, title = task.project_id, task.title

    def done(_result):
        flash(_("Task “%(title)s” deleted.", title=title), "success")
        return redirect(url_for("projects.show", project_id=project_id))

    return perform(
        lambda: domain.delete_task(task, current_user),
        form=EmptyForm(),
        done=done,
        refused=_on_task_page(task),
    )


@bp.route("/tasks/<int:task_id>/checklist", methods=["POST"])
def add_check(task_id):
    task = task_or_404(task_id)
    form = CheckForm()
    return perform(
        lambda: domain.add_check(task, current_user, form.text.data or ""),
        form=form,
        done=_back_to_section(task, "checklist"),
        refused=_on_task_page(task),
    )


@bp.route(
    "/tasks/<int:task_id>/checklist/<int:item_id>/<any(toggle, delete):action>", methods=["POST"]
)
def change_check(task_id, item_id, action):
    task = task_or_404(task_id)
    change = domain.toggle_check if action == "toggle" else domain.remove_check
    return perform(
        lambda: change(task, current_user, item_id),
        form=EmptyForm(),
        done=_back_to_section(task, "checklist"),
        refused=_on_task_page(task),
    )


@bp.route("/tasks/<int:task_id>/links", methods=["POST"])
def add_link(task_id):
    """This task now depends on another one; dependent dates move at once."""
    task = task_or_404(task_id)
    form = _link_form(task)

    def done(added):
        _link, moved = added
        _tell_moved(moved)
        return redirect(url_for("projects.task", task_id=task.id, _anchor="links"))

    return perform(
        lambda: domain.add_link(
            task, current_user, form.predecessor_id.data, form.kind.data, form.lag.data or 0
        ),
        form=form,
        done=done,
        refused=_on_task_page(task),
    )


@bp.route("/tasks/<int:task_id>/links/<int:link_id>/delete", methods=["POST"])
def remove_link(task_id, link_id):
    task = task_or_404(task_id)
    return perform(
        lambda: domain.remove_link(task, current_user, link_id),
        form=EmptyForm(),
        done=_back_to_section(task, "links"),
        refused=_on_task_page(task),
    )


@bp.route("/tasks/<int:task_id>/files", methods=["POST"])
def upload(task_id):
    task = task_or_404(task_id)
    form = UploadForm()
    return perform(
        lambda: attachments.save(
            task, current_user, form.file.data.filename, form.file.data.stream
        ),
        form=form,
        done=_back_to_section(task, "files"),
        refused=_on_task_page(task),
    )


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

    def done(path):
        path.unlink(missing_ok=True)  # once the row is gone for good
        return redirect(url_for("projects.task", task_id=task.id, _anchor="files"))

    return perform(
        lambda: attachments.remove(task, current_user, file_id),
        form=EmptyForm(),
        done=done,
        refused=_on_task_page(task),
    )


add_discussion_views(
    bp,
    "/tasks/<int:task_id>",
    load=task_or_404,
    back=_back_to_section,
    refused=_on_task_page,
    live=_live,
)
