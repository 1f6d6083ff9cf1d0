"""`make run` as a person starts it: gunicorn serves the app with the worker beside it, and
Ctrl-C stops both without an error."""

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("MKFLOW_TEST_DATABASE_URL")),
    reason="make run serves the embedded SQLite database; once per run of the suite",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def group_of(pgid: int) -> list[str]:
    out = subprocess.run(["ps", "-eo", "pgid=,pid=,args="], capture_output=True, text=True)
    return [line for line in out.stdout.splitlines() if line.split()[0] == str(pgid)]


def wait_for(url: str, make: subprocess.Popen, output: Path):
    """The first answer from ``url`` once the server is up (make may still be seeding)."""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        assert make.poll() is None, output.read_text()
        try:
            return urllib.request.urlopen(url, timeout=5)
        except OSError:
            time.sleep(0.5)  # polling for a server to come up; no result depends on it
    raise AssertionError(f"make run never served {url}:\n{output.read_text()}")


def test_make_run_serves_with_gunicorn_and_ctrl_c_stops_it_cleanly(tmp_path):
    port = free_port()
    output = tmp_path / "make.log"
    env = os.environ | {"MKFLOW_DATABASE_URL": f"sqlite:///{tmp_path / 'run.db'}"}
    env.pop("MAKEFLAGS", None)
    with output.open("w") as out:
        make = subprocess.Popen(
            ["make", "run", f"PORT={port}"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, as a terminal gives it
        )
    try:
        answer = wait_for(f"http://127.0.0.1:{port}/login", make, output)
        assert answer.status == 200 and answer.headers["Server"].startswith("gunicorn")
        assert any("flask --app app worker" in line for line in group_of(make.pid))
        os.killpg(make.pid, signal.SIGINT)  # Ctrl-C: the terminal signals the whole group
        status = make.wait(timeout=60)
    finally:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGKILL)
            make.wait()
    text = output.read_text()
    # make re-raises the signal it got; what matters is that no step failed.
    assert status in (0, -signal.SIGINT), text
    assert "make: ***" not in text and "Traceback" not in text, text
    assert "Shutting down: Master" in text
    assert group_of(make.pid) == []  # the server, its workers and the mail worker all ended
