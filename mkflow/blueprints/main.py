"""Landing pages: My work, the company directory, the health check."""

from flask import Blueprint, jsonify, redirect, render_template, url_for
from flask_login import login_required
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from mkflow import company
from mkflow.extensions import db

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    return redirect(url_for("main.my_work"))


@bp.route("/me")
@login_required
def my_work():
    """Everything waiting for the current user."""
    return render_template("main/my_work.html")


@bp.route("/company")
@login_required
def company_directory():
    """Departments with their heads and people, and the named groups."""
    return render_template(
        "main/company.html", departments=company.departments(), groups=company.groups()
    )


@bp.route("/healthz")
def healthz():
    """200 when the database answers, 503 otherwise (for load balancers and monitors)."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="ok")
