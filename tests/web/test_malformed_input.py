"""No input gives a 5xx: every rule of the URL map and every form the pages show, as each kind
of user, with malformed values in the path, the query string and the form fields.

The probe discovers what to send: it crawls the pages as each user (links, GET and POST forms),
builds a URL for every rule, and sends each field a sample of the values that broke the app once
(non-ASCII digits, numbers beyond 64 bits, negative numbers, NUL and control characters, 100 KB
strings, impossible and extreme dates), plus repeated keys and missing fields. It is bounded
by sampling: every field gets the values of its kind and one of the others in turn."""

import itertools
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from support import new_project, new_task
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from mkflow.core import clock
from mkflow.core.database import db
from mkflow.models import Department, ProcessTemplate, Project, User
from mkflow.sharing import share_links

# Per kind of field: the values every field of that kind gets, then the ones it gets in turn.
NUMBERS = (["²", "99999999999999999999"], ["١٢", "2147483648", "-1"])
TEXTS = (["a\x00b\x1b\x7f", "x" * 100_000], ["\u202e\ufeff%_"])
DATES = (["9999-12-31", "2026-02-30"], ["0001-01-01", "²"])
OTHERS = ["", "\x00", "²", "99999999999999999999", "-5", "x" * 100_000, "9999-12-31"]
PATH_INTS = ["²", "١", "99999999999999999999", "2147483648"]
PATH_STRINGS = ["²", "%00", "x" * 3000]

USERS = {
    "anonymous": None,
    "member": "copywriter@demo.local",
    "head": "head@demo.local",
    "administrator": "admin@demo.local",
}
# Actions that end what later probes need (the session, the people, the rows): sent last.
LAST = re.compile(r"logout|deactivate|delete|remove|cancel|archive|discard|revoke")
MAX_PAGES_PER_ENDPOINT = 1
MAX_POSTS_PER_FORM = 24
MAX_FORMS_PER_ENDPOINT = 2
DATE_SHAPE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass
class Form:
    method: str
    action: str
    fields: list[tuple[str, str, str]] = field(default_factory=list)  # name, kind, value
    users: list[str] = field(default_factory=list)


class PageParser(HTMLParser):
    """Links, and the forms with their fields and a value for each (as a browser would send)."""

    def __init__(self, base: str):
        super().__init__()
        self.base, self.links, self.forms = base, [], []
        self._form = self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if a.get("hx-get"):
            self.links.append(a["hx-get"])
        if tag == "form":
            method = (a.get("method") or "get").upper()
            self._form = Form(method, a.get("action") or self.base)
            self.forms.append(self._form)
            return
        form, name = self._form, a.get("name")
        if form is None or not name:
            return
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                if any(n == name for n, _k, _v in form.fields):
                    return
            if kind == "file":
                return
            value = a.get("value") or ("" if kind == "hidden" else "probe")
            form.fields.append((name, kind, value))
        elif tag == "button" and a.get("type", "submit") == "submit":
            if not any(k == "button" for _n, k, _v in form.fields):
                form.fields.append((name, "button", a.get("value", "")))
        elif tag == "select":
            self._select = [name, None, [], "multiple" in a]
        elif tag == "option" and self._select is not None:
            value = a.get("value")
            self._select[2].append(value)
            if "selected" in a:
                self._select[1] = value
        elif tag == "textarea":
            self._textarea = name

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None and self._form is not None:
            name, chosen, options, _multiple = self._select
            filled = [o for o in options if o]
            value = chosen if chosen is not None else (filled[0] if filled else "")
            numeric = bool(filled) and all((o or "").isdigit() for o in filled)
            self._form.fields.append((name, "number" if numeric else "select", value or ""))
            self._select = None
        elif tag == "textarea" and self._textarea and self._form is not None:
            self._form.fields.append((self._textarea, "textarea", "probe"))
            self._textarea = None


def kind_of(name: str, kind: str, value: str) -> str:
    if kind == "date" or DATE_SHAPE.match(value or ""):
        return "date"
    if kind == "number" or (value or "").isdigit() or name.endswith(("_id", "version")):
        return "number"
    return "text"


def values_for(kind: str, turn: int, room: int = 99) -> list[str]:
    """The values of ``kind`` every field gets, and as many others as ``room`` leaves."""
    always, sometimes = {"date": DATES, "number": NUMBERS, "text": TEXTS}[kind]
    others = [*sometimes, OTHERS[turn % len(OTHERS)]]
    start = turn % len(others)
    return always + (others[start:] + others[:start])[: max(0, room - len(always))]


class Probe:
    def __init__(self, app, clients):
        self.app, self.clients = app, clients
        self.adapter = app.url_map.bind("localhost")
        self.failures: list[str] = []
        self.requests = 0
        self.pages: dict[str, dict[str, list[str]]] = {}  # endpoint -> user -> URLs
        self.query_names: dict[str, dict[str, str]] = {}  # endpoint -> name -> example value
        self.forms: dict[tuple, Form] = {}
        self.tokens: dict[str, str] = {}
        self.phase, self.spent = "", {}  # phase -> [requests, seconds]

    def send(self, who: str, method: str, url: str, data=None, what: str = "") -> int:
        self.requests += 1
        client, began = self.clients[who], time.monotonic()
        try:
            if method == "GET":
                response = client.get(url)
            else:
                form = MultiDict(data or [])
                if "csrf_token" not in form and self.tokens.get(who):
                    form.add("csrf_token", self.tokens[who])
                response = client.post(url, data=form, csrf=False)
            status = response.status_code
        except Exception as error:  # TESTING propagates the exception a user would see as 500
            status = f"{type(error).__name__}: {str(error)[:200]}"
        spent = self.spent.setdefault(self.phase, [0, 0.0])  # requests, seconds
        spent[0] += 1
        spent[1] += time.monotonic() - began
        if not isinstance(status, int) or status >= 500:
            shown = what if len(what) < 300 else what[:300] + "…"
            self.failures.append(f"{who:13} {method} {url[:200]} {shown} -> {status}")
        return status if isinstance(status, int) else 500

    def endpoint_of(self, url: str, method: str = "GET") -> str | None:
        parts = urlsplit(url)
        try:
            endpoint, _args = self.adapter.match(parts.path, method=method)
        except HTTPException:
            return None
        return endpoint

    # Discovery

    def crawl(self, who: str, start: list[str], limit: int = 200) -> None:
        queue, seen = list(start), set()
        while queue and len(seen) < limit:
            url = queue.pop(0)
            if url in seen:
                continue
            endpoint = self.endpoint_of(url)
            if endpoint is None or endpoint == "static" or url.endswith((".csv", ".ics")):
                continue
            known = self.pages.setdefault(endpoint, {}).setdefault(who, [])
            if len(known) >= MAX_PAGES_PER_ENDPOINT and url not in known:
                continue
            seen.add(url)
            response = self.clients[who].get(url)
            self.requests += 1
            if response.status_code != 200 or "html" not in response.content_type:
                continue
            known.append(url)
            parser = PageParser(url)
            parser.feed(response.get_data(as_text=True))
            for form in parser.forms:
                self.add_form(who, form)
            for link in parser.links:
                parts = urlsplit(link)
                if parts.netloc or not parts.path.startswith("/"):
                    continue
                target = self.endpoint_of(link)
                if target:
                    names = self.query_names.setdefault(target, {})
                    for name, value in parse_qsl(parts.query, keep_blank_values=True):
                        names.setdefault(name, value)
                    queue.append(link)

    def add_form(self, who: str, form: Form) -> None:
        names = [n for n, _k, _v in form.fields]
        if "csrf_token" in names:
            self.tokens.setdefault(who, dict((n, v) for n, _k, v in form.fields)["csrf_token"])
        endpoint = self.endpoint_of(form.action, form.method)
        if endpoint is None:
            return
        if form.method == "GET":
            query = self.query_names.setdefault(endpoint, {})
            for name, _kind, value in form.fields:
                query.setdefault(name, value)
            return
        key = (endpoint, tuple(sorted(names)))
        same_endpoint = [k for k in self.forms if k[0] == endpoint]
        if key not in self.forms and len(same_endpoint) >= MAX_FORMS_PER_ENDPOINT:
            return  # one stage's form is like the next one's
        known = self.forms.setdefault(key, form)
        if who not in known.users:
            known.users.append(who)

    # Probes

    def probe_path_arguments(self, who: str) -> None:
        """Every rule with malformed values in each argument of its path, the others taken from
        a URL the crawl found for that rule (or 1)."""
        examples = {}
        urls = [u for by_user in self.pages.values() for us in by_user.values() for u in us]
        for method, url in [("GET", u) for u in urls] + [
            (f.method, f.action) for f in self.forms.values()
        ]:
            try:
                rule, args = self.adapter.match(urlsplit(url).path, method, return_rule=True)
            except HTTPException:
                continue
            examples.setdefault(rule.rule, args)
        for rule in self.app.url_map.iter_rules():
            converters = rule._converters
            if rule.endpoint == "static" or not converters:
                continue
            method = "GET" if "GET" in rule.methods else "POST"
            known = examples.get(rule.rule, {})
            for argument, converter in sorted(converters.items()):
                kind = type(converter).__name__
                if kind == "AnyConverter":
                    continue
                bad = PATH_INTS if "Integer" in kind or "Id" in kind else PATH_STRINGS
                for value in bad:
                    path = "".join(
                        part
                        if not is_arg
                        else value
                        if part == argument
                        else str(known.get(part, self._sample_arg(converters[part])))
                        for is_arg, part in self._rule_parts(rule)
                    )
                    self.send(who, method, path, what=f"path {argument}={value!r}")

    @staticmethod
    def _rule_parts(rule):
        for piece in re.split(r"(<[^>]+>)", rule.rule):
            if piece.startswith("<"):
                yield True, piece.strip("<>").split(":")[-1]
            elif piece:
                yield False, piece

    @staticmethod
    def _sample_arg(converter) -> str:
        if type(converter).__name__ == "AnyConverter":
            return re.search(r"\(\?:?([^|)]+)", converter.regex).group(1)
        return "1" if "Integer" in type(converter).__name__ else "x"

    def probe_queries(self) -> None:
        """Every GET page found: each query name it uses gets bad values; then every name seen
        anywhere at once (a view may read a name no link of it shows)."""
        everywhere = sorted({n for names in self.query_names.values() for n in names})
        turn = itertools.count()
        for endpoint, by_user in sorted(self.pages.items()):
            users = [who for who, urls in by_user.items() if urls]
            if not users:
                continue
            names = self.query_names.get(endpoint, {})
            for name, example in sorted(names.items()):
                for value in values_for(kind_of(name, "", example), next(turn)):
                    who = users[next(turn) % len(users)]
                    url = self._with_query(by_user[who][0], [(name, value)])
                    self.send(who, "GET", url, what=f"query {name}={value!r}")
                who = users[next(turn) % len(users)]
                url = self._with_query(by_user[who][0], [(name, "1"), (name, "²")])
                self.send(who, "GET", url, what=f"query {name} repeated")
            for value in ["²", "99999999999999999999", "\x00", "9999-12-31", "-1"]:
                who = users[next(turn) % len(users)]
                url = self._with_query(by_user[who][0], [(n, value) for n in everywhere])
                self.send(who, "GET", url, what=f"every query name={value!r}")

    @staticmethod
    def _with_query(url: str, pairs: list[tuple[str, str]]) -> str:
        parts = urlsplit(url)
        names = {n for n, _v in pairs}
        kept = [(n, v) for n, v in parse_qsl(parts.query, keep_blank_values=True) if n not in names]
        return f"{parts.path}?{urlencode(kept + pairs)}"

    def probe_forms(self) -> None:
        """Every POST form: each field gets bad values with the others as the page had them,
        then one post with every field missing and one with every key repeated."""
        forms = sorted(self.forms.values(), key=lambda f: (bool(LAST.search(f.action)), f.action))
        turn = itertools.count()
        for form in forms:
            if "logout" in form.action:
                continue
            base = [(n, v) for n, _k, v in form.fields if n != "csrf_token"]
            fields = [f for f in form.fields if f[0] != "csrf_token"]
            # A form of many fields (a stage's mode per field) gets fewer values per field.
            per_field = max(2, MAX_POSTS_PER_FORM // max(1, len(fields)))
            for index, (name, kind, example) in enumerate(fields):
                for value in values_for(kind_of(name, kind, example), next(turn), per_field):
                    data = [(n, value if i == index else v) for i, (n, v) in enumerate(base)]
                    who = form.users[next(turn) % len(form.users)]
                    self.send(who, "POST", form.action, data, what=f"field {name}={value!r}")
            who = form.users[next(turn) % len(form.users)]
            self.send(who, "POST", form.action, [], what="every field missing")
            repeated = base + [(n, "²") for n, _v in base]
            self.send(who, "POST", form.action, repeated, what="every key repeated")


@pytest.fixture
def share_urls(demo_items, demo_projects) -> list[str]:
    """The demo company with its running items and projects, and a share link of every kind
    (the only pages open without login)."""

    today, urls = clock.company_today(), []
    head = db.session.scalar(db.select(User).where(User.email == "head@demo.local"))
    for model in (Project, ProcessTemplate, Department):
        rows = db.session.scalars(db.select(model).order_by(model.id))
        target = next(t for t in rows if share_links.can_share(head, t))
        for kind in share_links.kinds_for(target):
            _link, token = share_links.create(
                head, target, kind, today + timedelta(days=1), today=today, zone=UTC
            )
            urls.append(f"/share/{token}")
    db.session.commit()
    return urls


def test_no_malformed_input_gives_a_server_error(app, share_urls):
    started = time.monotonic()
    clients = {who: app.test_client() for who in USERS}
    for who, email in USERS.items():
        if email:
            response = clients[who].post("/login", data={"email": email, "password": "demo"})
            assert response.status_code == 302, who
    probe = Probe(app, clients)
    for who in USERS:
        start = ["/", "/login", "/me", "/projects", "/processes", "/dashboard", "/company"]
        probe.crawl(who, start + share_urls)
    assert probe.forms and probe.query_names, "the crawl found no forms"

    probe.phase = "path"
    probe.probe_path_arguments("administrator")
    probe.probe_path_arguments("anonymous")
    probe.phase = "query"
    probe.probe_queries()
    probe.phase = "forms"
    probe.probe_forms()
    # What the forms stored (a far date, a long text) must not break a page afterwards.
    probe.phase = "again"
    for by_user in probe.pages.values():
        for who, urls in by_user.items():
            for url in urls:
                probe.send(who, "GET", url, what="the page again, after the forms")

    elapsed = time.monotonic() - started
    timings = ", ".join(f"{p}: {n} in {t:.0f} s" for p, (n, t) in probe.spent.items())
    report = "\n".join(probe.failures[:200])
    summary = f"{probe.requests} requests, {len(probe.forms)} forms, {elapsed:.0f} s ({timings})"
    print(summary)
    assert not probe.failures, f"{len(probe.failures)} server errors ({summary}):\n{report}"


@pytest.mark.parametrize(
    ("path", "data", "status"),
    [
        ("/projects/tasks/{task}/watchers", {"user_id": "²", "department_id": "١"}, 400),
        ("/projects/tasks/{task}/move", {"move": "start", "version": "²"}, 409),
        ("/projects/tasks/{task}/move", {"move": "start", "version": "99999999999999999999"}, 409),
        ("/projects/tasks/{task}/links", {"predecessor_id": "-1", "lag": "x"}, 400),
        ("/projects/tasks/{task}/checklist", {"text": ""}, 400),
        ("/projects/{project}/members", {"user_id": "1x"}, 400),
    ],
)
def test_posted_ids_and_versions_that_cannot_be_read_are_refused(
    client, auth, demo, path, data, status
):
    """The form fields read ids and versions one way (mkflow.core.inputs): what is not one is
    a refusal with a message, and a version that cannot be read is stale, never unchecked."""
    project = new_project()
    task = new_task(project, "Write the brief")
    auth.login("head@demo.local")
    response = client.post(path.format(task=task.id, project=project.id), data=data)
    assert response.status_code == status
    if status == 409:
        assert "someone acted on it first" in response.get_data(as_text=True)
