"""Administration of people, departments and groups (administrators only)."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from mkflow.blueprints.admin.forms import NOBODY, DepartmentForm, GroupForm, UserForm
from mkflow.core.database import db
from mkflow.core.inputs import parse_id
from mkflow.mail import outbox
from mkflow.models import Department, Group, MailStatus, OutboxMessage, User, Visibility
from mkflow.people import company
from mkflow.web.actions import perform, refusal_page, shown_in
from mkflow.web.forms import EmptyForm
from mkflow.web.http import render_form

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def require_admin():
    if not current_user.is_admin:
        abort(403)


def _get(model, item_id):
    return db.get_or_404(model, item_id)


def _department_choices():
    nobody = SelectChoice(NOBODY, _("— none —"))
    return [nobody] + [SelectChoice(d.id, d.name) for d in company.departments()]


def _user_choices():
    return [SelectChoice(NOBODY, _("— none —"))] + _people_choices()


def _people_choices():
    return [SelectChoice(u.id, u.name) for u in company.active_users()]


def _saved(message: str, target: str):
    """``done`` of a form page: say so and go back to the list."""

    def done(_result):
        flash(message, "success")
        return redirect(target)

    return done


@bp.route("/users")
def users():
    """Everyone, active and deactivated."""
    return render_template("admin/users.html", users=company.all_users(), form=EmptyForm())


@bp.route("/users/new", methods=["GET", "POST"])
def user_new():
    form = UserForm(role="member")
    form.department.choices = _department_choices()
    if form.validate_on_submit():
        if not form.password.data:
            form.password.errors.append(_("Give the new user an initial password."))
        else:
            return perform(
                lambda: company.create_user(
                    current_user,
                    name=form.name.data,
                    email=form.email.data,
                    title=form.title.data,
                    password=form.password.data,
                    role=form.role.data,
                    department=db.session.get(Department, form.department.data),
                ),
                done=_saved(
                    _("The user is created. Tell them their email and initial password."),
                    url_for("admin.users"),
                ),
                refused=shown_in(
                    form, lambda: render_form("admin/user_form.html", form, user=None)
                ),
            )
    return render_form("admin/user_form.html", form, user=None)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
def user_edit(user_id):
    user = _get(User, user_id)
    form = UserForm(
        name=user.name,
        email=user.email,
        title=user.title,
        department=user.department_id or NOBODY,
        role=user.role.value,
    )
    form.department.choices = _department_choices()
    form.password.label.text = _l("New password (leave empty to keep)")
    if form.validate_on_submit():
        return perform(
            lambda: company.update_user(
                current_user,
                user,
                name=form.name.data,
                email=form.email.data,
                title=form.title.data,
                role=form.role.data,
                department=db.session.get(Department, form.department.data),
                new_password=form.password.data,
            ),
            done=_saved(_("The user is saved."), url_for("admin.users")),
            refused=shown_in(form, lambda: _user_page(form, user)),
        )
    return _user_page(form, user)


def _user_page(form, user):
    return render_form("admin/user_form.html", form, user=user, toggle=EmptyForm())


@bp.route("/users/<int:user_id>/<any(activate, deactivate):action>", methods=["POST"])
def user_toggle(user_id, action):
    """Deactivate (or bring back) an account; its history stays."""
    user = _get(User, user_id)

    def done(_result):
        if action == "activate":
            flash(_("%(name)s can log in again.", name=user.name), "success")
        else:
            flash(_("%(name)s is deactivated and can no longer log in.", name=user.name), "success")
        return redirect(url_for("admin.users"))

    return perform(
        lambda: company.set_user_active(current_user, user, action == "activate"),
        form=EmptyForm(),
        done=done,
        refused=refusal_page,
    )


@bp.route("/departments")
def departments():
    return render_template("admin/departments.html", departments=company.departments())


@bp.route("/departments/new", methods=["GET", "POST"], defaults={"department_id": None})
@bp.route("/departments/<int:department_id>/edit", methods=["GET", "POST"])
def department_form(department_id):
    department = _get(Department, department_id) if department_id else None
    form = DepartmentForm(
        name=department.name if department else "",
        head=(department.head_id if department else None) or NOBODY,
        visibility=department.visibility.value if department else Visibility.COMPANY.value,
        oversees_company=department.oversees_company if department else False,
    )
    form.head.choices = _user_choices()
    if form.validate_on_submit():
        return perform(
            lambda: company.save_department(
                current_user,
                department,
                name=form.name.data,
                head=db.session.get(User, form.head.data),
                visibility=Visibility(form.visibility.data),
                oversees_company=form.oversees_company.data,
            ),
            done=_saved(_("The department is saved."), url_for("admin.departments")),
            refused=shown_in(
                form,
                lambda: render_form("admin/department_form.html", form, department=department),
            ),
        )
    return render_form("admin/department_form.html", form, department=department)


@bp.route("/groups")
def groups():
    return render_template("admin/groups.html", groups=company.groups())


@bp.route("/groups/new", methods=["GET", "POST"], defaults={"group_id": None})
@bp.route("/groups/<int:group_id>/edit", methods=["GET", "POST"])
def group_form(group_id):
    group = _get(Group, group_id) if group_id else None
    form = GroupForm(
        name=group.name if group else "",
        description=group.description if group else "",
        members=[u.id for u in group.members] if group else [],
    )
    form.members.choices = _people_choices()
    if form.validate_on_submit():
        members = db.session.scalars(db.select(User).where(User.id.in_(form.members.data)))
        return perform(
            lambda: company.save_group(
                current_user,
                group,
                name=form.name.data,
                description=form.description.data,
                members=members,
            ),
            done=_saved(_("The group is saved."), url_for("admin.groups")),
            refused=shown_in(form, lambda: render_form("admin/group_form.html", form, group=group)),
        )
    return render_form("admin/group_form.html", form, group=group)


MAIL_PAGE = 25


@bp.route("/mail")
def mail():
    """The outbox: whether mail really leaves, what waits, what failed (with a retry), a
    page at a time, all of one status with ?status= (an unknown one shows the usual list)."""
    status = request.args.get("status")
    status = MailStatus(status) if status in set(MailStatus) else None
    recent, older = outbox.page(status, parse_id(request.args.get("before")), MAIL_PAGE)
    return render_template(
        "admin/mail.html",
        smtp_host=current_app.config["MKFLOW_SMTP_HOST"],
        counts=outbox.counts(),
        recent=recent,
        older=older,
        status=status,
        statuses=MailStatus,
        form=EmptyForm(),
    )


@bp.route("/mail/<int:message_id>/retry", methods=["POST"])
def mail_retry(message_id):
    message = _get(OutboxMessage, message_id)
    if message.status != MailStatus.FAILED:
        abort(400)

    def done(_result):
        flash(_("The mail will be sent again."), "success")
        return redirect(url_for("admin.mail"))

    return perform(lambda: outbox.retry(message), form=EmptyForm(), done=done, refused=refusal_page)
