"""The app as the README's Production section runs it, for the benchmarks that measure from
outside (browser.py, lighthouse.py, http.py): a database made by the real commands, gunicorn
with four workers in front of it, and the session cookie of a logged-in demo person.

Differences from production, on purpose: plain HTTP on 127.0.0.1 (so MKFLOW_SECURE_COOKIES
is off), English names and locale, and a throw-away secret key."""

import contextlib
import http.client
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from common import ROOT, fresh_postgres, sqlite_url

FLASK = [sys.executable, "-m", "flask", "--app", "app"]
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SESSION = re.compile(r"(session=[^;]+)")


def environment(url: str, secret: str) -> dict:
    return os.environ | {
        "MKFLOW_DATABASE_URL": url,
        "MKFLOW_SECRET_KEY": secret,
        "MKFLOW_SECURE_COOKIES": "false",
        "MKFLOW_DEFAULT_LOCALE": "en",
    }


@contextlib.contextmanager
def database(kind: str, postgres_url: str):
    """A fresh, empty database URL: a SQLite file in a temporary folder (deleted afterwards)
    or ``postgres_url`` with its public schema dropped and recreated."""
    if kind == "postgres":
        yield fresh_postgres(postgres_url)
        return
    with tempfile.TemporaryDirectory(prefix="mkflow-served-") as workdir:
        yield sqlite_url(workdir)


def demo_database(url: str) -> None:
    """``flask db upgrade`` and ``flask seed demo --locale en``, as an operator types them."""
    env = environment(url, "seeding")
    for command in (["db", "upgrade"], ["seed", "demo", "--locale", "en"]):
        subprocess.run([*FLASK, *command], cwd=ROOT, env=env, check=True, capture_output=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    base: str  # http://127.0.0.1:<port>
    host: str
    port: int

    def connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self.host, self.port, timeout=60)


@contextlib.contextmanager
def gunicorn(url: str, workers: int = 4):
    """``gunicorn --workers 4 --bind 127.0.0.1:<free port> 'app:app'`` on ``url``; answers
    /healthz before this yields; stopped (SIGTERM, then waited for) afterwards."""
    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix="mkflow-gunicorn-", suffix=".log", delete=False)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "app:app",
        ],
        cwd=ROOT,
        env=environment(url, secrets.token_hex(32)),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = Server(f"http://127.0.0.1:{port}", "127.0.0.1", port)
    try:
        _wait_healthy(server, process, Path(log.name))
        yield server
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
        os.unlink(log.name)


def _wait_healthy(server: Server, process, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn stopped:\n{log.read_text()}")
        with contextlib.suppress(OSError):
            conn = server.connection()
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer /healthz in {seconds:.0f} s:\n{log.read_text()}")


def session_cookie(server: Server, email: str, password: str = "demo") -> str:
    """``session=…`` of ``email`` logged in through the login form (CSRF token and all)."""
    conn = server.connection()
    conn.request("GET", "/login")
    answer = conn.getresponse()
    page = answer.read().decode()
    cookie = SESSION.search(answer.getheader("Set-Cookie", "")).group(1)
    form = f"csrf_token={CSRF_FIELD.search(page).group(1)}&email={email}&password={password}"
    conn.request(
        "POST",
        "/login",
        body=form,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )
    answer = conn.getresponse()
    answer.read()
    if answer.status != 302:
        raise RuntimeError(f"login as {email} failed: {answer.status}")
    return SESSION.search(answer.getheader("Set-Cookie", "")).group(1)


@dataclass
class Page:
    path: str
    email: str | None  # who opens it; None: nobody logged in


def demo_pages(url: str) -> dict[str, Page]:
    """Every kind of page on the demo data (and a share link made for it), with the demo
    person who opens it: the head of marketing, the marketer for My work, the company head
    for the company's dashboard, the administrator for the admin pages."""
    sys.path.insert(0, str(ROOT))
    from mkflow.application import create_app
    from mkflow.core import clock
    from mkflow.core.database import db
    from mkflow.models import Department, ProcessInstance, ProcessTemplate, Project, Task, User
    from mkflow.sharing import share_links

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "pages"})
    with app.app_context():
        select, func = db.select, db.func
        article = db.session.scalar(select(ProcessTemplate).filter_by(slug="article"))
        item = db.session.scalar(
            select(ProcessInstance.id).filter_by(template_id=article.id).limit(1)
        )
        # The project with most tasks: its Gantt and board are the fullest of the demo.
        project = db.session.scalar(
            select(Project.id)
            .join(Task, Task.project_id == Project.id)
            .where(Project.is_template.is_(False))
            .group_by(Project.id)
            .order_by(func.count().desc())
            .limit(1)
        )
        task = db.session.scalar(select(Task.id).filter_by(project_id=project).limit(1))
        head = db.session.scalar(select(User).filter_by(email="head@demo.local"))
        department = db.session.scalar(select(Department.id).filter_by(head_id=head.id))
        today = clock.company_today()
        _, token = share_links.create(
            head,
            article,
            "process_board",
            today + timedelta(days=7),
            today=today,
            zone=clock.company_zone(),
        )
        db.session.commit()
        article = article.id
        db.engine.dispose()
    head, admin, ceo, marketer = (
        "head@demo.local",
        "admin@demo.local",
        "ceo@demo.local",
        "marketer@demo.local",
    )
    return {
        "login": Page("/login", None),
        "processes": Page("/processes", head),
        "process board": Page(f"/processes/{article}/board", head),
        "item": Page(f"/instances/{item}", head),
        "my work": Page("/me", marketer),
        "notifications": Page("/notifications", marketer),
        "projects": Page("/projects", head),
        "project board": Page(f"/projects/{project}/board", head),
        "task": Page(f"/projects/tasks/{task}", head),
        "gantt": Page(f"/projects/{project}/gantt", head),
        "dashboard": Page("/dashboard", head),
        "company dashboard": Page("/dashboard/company", ceo),
        "portfolio": Page(f"/departments/{department}/portfolio", head),
        "admin calendar": Page("/admin/calendar", admin),
        "admin users": Page("/admin/users", admin),
        "share link": Page(f"/share/{token}", None),
    }
