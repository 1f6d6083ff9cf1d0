"""Admin → Mail: a page at a time (newest first, "Older" to go on), and one status at a
time from the counts."""

import re

from sqlalchemy import insert
from support import user

from mkflow.core import clock
from mkflow.core.database import db
from mkflow.models import MailStatus, OutboxMessage


def queue(n: int, status: MailStatus, subject: str) -> None:
    marketer = user("marketer@demo.local")
    rows = [
        {
            "user_id": marketer.id,
            "kind": "assigned",
            "subject": f"{subject} {i}",
            "status": status,
            "next_attempt_at": clock.now(),
        }
        for i in range(n)
    ]
    db.session.execute(insert(OutboxMessage), rows)
    db.session.commit()


def subjects(html: str) -> list[str]:
    return re.findall(r"<td>((?:Sent|Failed|Skipped) \d+)</td>", html)


def test_mail_comes_a_page_at_a_time_newest_first(client, auth, demo):
    queue(30, MailStatus.SENT, "Sent")
    auth.login("admin@demo.local")
    first = client.get("/admin/mail").get_data(as_text=True)
    assert subjects(first) == [f"Sent {i}" for i in range(29, 4, -1)]  # 25, newest first
    older = re.search(r'href="(/admin/mail\?before=\d+)" rel="next">Older', first).group(1)
    second = client.get(older).get_data(as_text=True)
    assert subjects(second) == [f"Sent {i}" for i in range(4, -1, -1)]
    assert 'rel="next"' not in second and 'href="/admin/mail" rel="first">Newest' in second


def test_a_status_shows_its_mail_alone_skipped_ones_only_when_asked_for(client, auth, demo):
    queue(3, MailStatus.SENT, "Sent")
    queue(2, MailStatus.FAILED, "Failed")
    queue(2, MailStatus.SKIPPED, "Skipped")
    auth.login("admin@demo.local")
    every = client.get("/admin/mail").get_data(as_text=True)
    assert sorted(subjects(every)) == ["Failed 0", "Failed 1", "Sent 0", "Sent 1", "Sent 2"]
    assert 'href="/admin/mail?status=failed"' in every
    failed = client.get("/admin/mail?status=failed").get_data(as_text=True)
    assert subjects(failed) == ["Failed 1", "Failed 0"] and "Retry" in failed
    assert subjects(client.get("/admin/mail?status=skipped").text) == ["Skipped 1", "Skipped 0"]
    # nonsense in the address shows the usual list, never an error
    for query in ("status=nonsense", "before=abc", "before=-1", "before=99999999999999"):
        response = client.get(f"/admin/mail?{query}")
        assert response.status_code == 200
