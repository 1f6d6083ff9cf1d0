"""Log in and out, password and personal settings, language switch."""

from flask import Blueprint, abort, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from mkflow.blueprints.auth.forms import (
    LanguageForm,
    LoginForm,
    MailPreferencesForm,
    PasswordForm,
    SettingsForm,
)
from mkflow.core.database import db
from mkflow.core.errors import DomainError
from mkflow.mail import preferences
from mkflow.models import Channel
from mkflow.people import accounts, sessions
from mkflow.web.actions import commit
from mkflow.web.forms import EmptyForm
from mkflow.web.http import render_form, safe_next
from mkflow.web.i18n import LOCALES

bp = Blueprint("auth", __name__)


def _home() -> str:
    return url_for("main.my_work")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The login form; failures are counted per account and per address."""
    form = LoginForm(next=safe_next(request.args.get("next")) or "")
    target = safe_next(form.next.data)
    if current_user.is_authenticated:
        return redirect(target or _home())
    if form.validate_on_submit():
        policy = accounts.LoginPolicy.from_config()
        try:
            user = accounts.authenticate(
                form.email.data, form.password.data, request.remote_addr or "-", policy
            )
        except accounts.LoginRefused as refused:
            db.session.commit()  # keep the failure record for the lockout
            form.form_errors.append(refused.message)
            return render_form("auth/login.html", form, status=refused.status)
        sessions.start(user)
        login_user(user, remember=form.remember.data)
        if not user.locale and session.get("locale") in LOCALES:
            user.locale = session["locale"]  # mail and the calendar feed speak it too
        db.session.commit()
        return redirect(target or _home())
    return render_form("auth/login.html", form)


@bp.route("/logout", methods=["POST"])
def logout():
    """End the session (POST only, so a link elsewhere cannot log anyone out), on the server
    too: a copy of this browser's session or remember-me cookie opens nothing any more."""
    form = EmptyForm()  # nothing is posted but the token
    if form.validate_on_submit() and current_user.is_authenticated:
        sessions.end(current_user)
        commit()
    logout_user()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def settings():
    """Personal settings: language and time zone."""
    form = SettingsForm(
        locale=current_user.locale or session.get("locale") or "ru",
        timezone=current_user.timezone or current_app.config["BABEL_DEFAULT_TIMEZONE"],
    )
    if form.validate_on_submit():
        current_user.locale = form.locale.data
        current_user.timezone = form.timezone.data
        db.session.commit()
        flash(_("Your settings are saved."), "success")
        return redirect(url_for("auth.settings"))
    return render_form("auth/settings.html", form)


@bp.route("/account/mail", methods=["GET", "POST"])
@login_required
def mail_preferences():
    """Which notifications come by mail: right away, in the daily digest, or not at all."""
    channels = preferences.channels_of(current_user)
    form = MailPreferencesForm(
        data={
            "digest_time": current_user.digest_time,
            "hears_handoffs": current_user.hears_department_handoffs,
            **{f"kind_{key}": str(channel) for key, channel in channels.items()},
        }
    )
    if form.validate_on_submit():
        chosen = {key: Channel(form[f"kind_{key}"].data) for key in channels}
        preferences.save(current_user, chosen, form.digest_time.data, form.hears_handoffs.data)
        db.session.commit()
        flash(_("Your mail settings are saved."), "success")
        return redirect(url_for("auth.mail_preferences"))
    return render_form("auth/mail.html", form, is_head=preferences.heads_a_department(current_user))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change one's own password; other sessions of the account end."""
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(current_user, form.current.data, form.new.data)
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(error.message)
        else:
            person = current_user._get_current_object()
            sessions.start(person)  # the password change ended every session, this one too
            db.session.commit()
            login_user(person)  # the session id carries the new version and token
            flash(_("Your password is changed."), "success")
            return redirect(url_for("auth.settings"))
    return render_form("auth/password.html", form)


@bp.route("/language", methods=["POST"])
def set_language():
    """Switch the interface language; kept on the account when logged in."""
    form = LanguageForm()
    if not form.validate_on_submit():
        abort(400, description=_("Unknown language."))
    session["locale"] = form.locale.data
    if current_user.is_authenticated:
        current_user.locale = form.locale.data
        commit()
    return redirect(safe_next(form.next.data) or _home(), 303)
