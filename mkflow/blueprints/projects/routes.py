"""Projects: the list, templates, create, settings and members, the task list and board."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from mkflow.blueprints.projects.forms import (
    CopyForm,
    FromTemplateForm,
    MemberForm,
    ProjectForm,
)
from mkflow.core.database import db
from mkflow.core.errors import DomainError
from mkflow.core.formatting import user_today
from mkflow.core.inputs import MAX_ID, parse_int
from mkflow.models import Department, Project, TaskStatus, User
from mkflow.people import company, project_access
from mkflow.projects import copying, listing, planning
from mkflow.projects import lifecycle as domain
from mkflow.sharing import share_links
from mkflow.web.actions import perform, refusal_page, shown_in
from mkflow.web.cards import CARD_HOST, prepare_rows
from mkflow.web.forms import EmptyForm
from mkflow.web.http import arg_id, embed_requested, render_board, render_form, row
from mkflow.web.loaders import project_or_404
from mkflow.web.share_panel import share_panel

bp = Blueprint("projects", __name__, url_prefix="/projects")


@bp.before_request
@login_required
def require_login():
    pass


@bp.context_processor
def labels():
    return {
        "today": user_today(),
    }


@bp.route("")
def index():
    """Projects by department with progress, overdue tasks and the next milestone."""
    archived = request.args.get("archived") == "1"
    return render_template(
        "projects/index.html",
        groups=listing.project_list(current_user, user_today(), archived=archived),
        archived=archived,
    )


@bp.route("/templates")
def templates():
    return render_template(
        "projects/templates.html",
        groups=listing.project_list(current_user, user_today(), templates=True),
    )


def people_choices(people) -> list[SelectChoice]:
    return [SelectChoice(None, "—")] + [SelectChoice(u.id, u.name) for u in people]


def _department_choices():
    return [SelectChoice(None, "—")] + [SelectChoice(d.id, d.name) for d in company.departments()]


def _project_form(project: Project | None = None) -> ProjectForm:
    form = ProjectForm(obj=project)
    form.department_id.choices = _department_choices()
    form.manager_id.choices = people_choices(company.active_users())
    if project is None and not form.is_submitted():
        form.start_date.data = user_today()
        form.department_id.data = current_user.department_id
        form.manager_id.data = current_user.id
    return form


def _project_data(form: ProjectForm) -> domain.ProjectData:
    return domain.ProjectData(
        name=form.name.data,
        description=form.description.data or "",
        start_date=form.start_date.data,
        department=db.session.get(Department, form.department_id.data)
        if form.department_id.data
        else None,
        manager=db.session.get(User, form.manager_id.data) if form.manager_id.data else None,
        auto_schedule=form.auto_schedule.data,
    )


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = _project_form()

    def done(project):
        flash(_("Project “%(name)s” created.", name=project.name), "success")
        return redirect(url_for("projects.show", project_id=project.id))

    def page():
        return render_form("projects/form.html", form, project=None)

    if form.validate_on_submit():
        return perform(
            lambda: domain.create_project(current_user, _project_data(form)),
            done=done,
            refused=shown_in(form, page),
        )
    return page()


@bp.route("/from-template", methods=["GET", "POST"])
def from_template():
    """ "A new project in two clicks": choose a template, a name and a start date."""
    templates = listing.templates()
    form = FromTemplateForm()
    form.template_id.choices = [SelectChoice(t.id, t.name) for t in templates]
    if not form.is_submitted():
        form.template_id.data = arg_id("template")
        form.start_date.data = user_today()
        picked = next((t for t in templates if t.id == form.template_id.data), None)
        form.name.data = picked.name if picked else ""

    def create():
        template = db.session.get(Project, form.template_id.data)
        if template is None:
            raise DomainError(_("Choose a project template."))
        return copying.from_template(
            template, current_user, name=form.name.data, start_date=form.start_date.data
        )

    def done(project):
        flash(_("Project “%(name)s” created from the template.", name=project.name), "success")
        return redirect(url_for("projects.show", project_id=project.id))

    def page():
        return render_form("projects/from_template.html", form, templates=templates)

    if form.validate_on_submit():
        return perform(create, done=done, refused=shown_in(form, page))
    return page()


def _list_context(project: Project) -> dict:
    is_manager = project_access.is_manager(current_user, project)
    return {
        "project": project,
        "is_manager": is_manager,
        "can_work": project_access.can_work(current_user, project),
        "form": EmptyForm(),
    }


@bp.route("/<int:project_id>")
def show(project_id):
    """The task list: a tree by default, a page at a time; sorting, filters and the page
    live in the URL."""
    project = project_or_404(project_id)
    filters = listing.TaskFilters.from_args(request.args)
    page = listing.task_page(
        project,
        current_user,
        user_today(),
        is_manager=project_access.is_manager(current_user, project),
        filters=filters,
        number=parse_int(request.args.get("page"), 1, MAX_ID) or 1,
    )
    broken = set() if project.auto_schedule else planning.broken_links(project.id)
    return render_template(
        "projects/show.html",
        page=page,
        filters=filters,
        people=project_access.member_choices(project),
        broken={successor for _, successor in broken},
        **prepare_rows(page.rows),
        **_list_context(project),
    )


@bp.route("/<int:project_id>/board")
def board(project_id):
    """The five statuses as columns, each its first page; each card offers the moves this
    user may make. The filters live in the URL and apply to every page of every column.
    With ?embed=1, the board alone, for an intranet page's iframe."""
    project = project_or_404(project_id)
    filters = board_filters(request.args)
    embedded = embed_requested()
    return render_board(
        "projects/board.html",
        "projects/_board.html",
        lambda: share_links.project_stamp(project, user_today()),
        lambda: {
            **board_columns_context(project, filters),
            **_list_context(project),
            "people": [] if embedded else project_access.member_choices(project),
        },
    )


def board_filters(args) -> listing.TaskFilters:
    """The board's filters: the list's, less the status (a column is one) and the sort."""
    filters = listing.TaskFilters.from_args(args)
    filters.status, filters.sort = None, "tree"
    return filters


def board_columns_context(project: Project, filters: listing.TaskFilters) -> dict:
    """The board's columns with their rows ready to print."""
    columns = listing.board_columns(
        project,
        current_user,
        user_today(),
        is_manager=project_access.is_manager(current_user, project),
        filters=filters,
    )
    rows = [row for column in columns for row in column.rows]
    return {
        "columns": columns,
        "filters": filters,
        "card_host": CARD_HOST,
        "origin": "board",
        **prepare_rows(rows),
    }


@bp.route("/<int:project_id>/board/<any(assigned, in_progress, on_review, reopened, done):status>")
def board_column(project_id, status):
    """A column's next tasks after the cursor ``after``: with htmx, the cards to append and
    the column's new foot; without, a page of its own with a link to the page after."""
    project = project_or_404(project_id)
    filters = board_filters(request.args)
    column = listing.board_page(
        project,
        TaskStatus(status),
        request.args.get("after"),
        current_user,
        user_today(),
        is_manager=project_access.is_manager(current_user, project),
        filters=filters,
    )
    context = {
        "column": column,
        "filters": filters,
        **prepare_rows(column.rows),
        **_list_context(project),
    }
    if request.htmx:
        return render_template("projects/_column_more.html", origin="board", **context)
    return render_template("projects/column.html", origin="list", **context)


@bp.route("/<int:project_id>/settings", methods=["GET", "POST"])
def settings(project_id):
    """Name, department, manager, start date and scheduling mode; members; archive."""
    project = project_or_404(project_id)
    if not project_access.is_manager(current_user, project):
        abort(403)
    form = _project_form(project)

    def done(_result):
        flash(_("Saved."), "success")
        return redirect(url_for("projects.settings", project_id=project.id))

    def page():
        copy_form = CopyForm(formdata=None, name=project.name, start_date=project.start_date)
        return render_form(
            "projects/settings.html",
            form,
            project=project,
            member_form=_member_form(formdata=None),
            copy_form=copy_form,
            empty_form=EmptyForm(),
            **share_panel(project),
        )

    if form.validate_on_submit():
        return perform(
            lambda: domain.update_project(project, current_user, _project_data(form)),
            done=done,
            refused=shown_in(form, page),
        )
    return page()


def _member_form(**kwargs) -> MemberForm:
    form = MemberForm(**kwargs)
    form.user_id.choices = people_choices(company.active_users())
    form.department_id.choices = _department_choices()
    return form


def _to_members(project: Project):
    return lambda _result: redirect(
        url_for("projects.settings", project_id=project.id, _anchor="members")
    )


@bp.route("/<int:project_id>/members", methods=["POST"])
def add_member(project_id):
    project = project_or_404(project_id)
    form = _member_form()
    return perform(
        lambda: domain.add_member(
            project,
            current_user,
            user=row(User, form.user_id.data),
            department=row(Department, form.department_id.data),
            role=form.role.data,
            duty=form.duty.data or "",
        ),
        form=form,
        done=_to_members(project),
        refused=refusal_page,
    )


@bp.route("/<int:project_id>/members/<int:member_id>/delete", methods=["POST"])
def remove_member(project_id, member_id):
    project = project_or_404(project_id)
    return perform(
        lambda: domain.remove_member(project, current_user, member_id),
        form=EmptyForm(),
        done=_to_members(project),
        refused=refusal_page,
    )


@bp.route("/<int:project_id>/<any(archive, restore):action>", methods=["POST"])
def archive(project_id, action):
    project = project_or_404(project_id)

    def done(_result):
        if action == "archive":
            flash(_("“%(name)s” is archived.", name=project.name), "success")
            return redirect(url_for("projects.index"))
        flash(_("“%(name)s” is restored.", name=project.name), "success")
        return redirect(url_for("projects.show", project_id=project.id))

    return perform(
        lambda: (domain.archive if action == "archive" else domain.restore)(project, current_user),
        form=EmptyForm(),
        done=done,
        refused=refusal_page,
    )


@bp.route("/<int:project_id>/<any(save_template, duplicate):action>", methods=["POST"])
def copy(project_id, action):
    """Save as template, or duplicate the project: the same copy, with shifted dates."""
    project = project_or_404(project_id)
    form = CopyForm()
    if not form.validate_on_submit():
        flash(_("Give a name and a start date."), "error")
        return redirect(url_for("projects.settings", project_id=project.id, _anchor="copy"))

    def done(created):
        if created.is_template:
            flash(_("Template “%(name)s” saved.", name=created.name), "success")
        else:
            flash(_("Project “%(name)s” created.", name=created.name), "success")
        return redirect(url_for("projects.show", project_id=created.id))

    return perform(
        lambda: copying.copy_project(
            project,
            current_user,
            name=form.name.data,
            start_date=form.start_date.data,
            as_template=action == "save_template",
        ),
        done=done,
        refused=refusal_page,
    )
