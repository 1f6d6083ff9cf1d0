"""The seeded states the fixtures copy back are the rows seeding writes (tests/snapshots.py)."""

import snapshots
from support import launch_article

from mkflow.core.database import db
from mkflow.seeding import company_seeds, process_seeds


def _rows_without_password_salts() -> dict:
    rows = snapshots._read()
    for row in rows["user"]:
        row.pop("password_hash")  # salted: two seedings never write the same hash
    return rows


def test_a_copied_state_holds_the_rows_seeding_writes_and_the_next_ids(demo_items):
    launch_article("After the copy")  # its rows get the ids they would get after seeding
    copied = _rows_without_password_salts()
    db.session.commit()
    snapshots.empty_all_tables()
    company_seeds.load_company("en")
    process_seeds.load_processes("en")
    process_seeds.load_demo_instances("en")
    db.session.commit()
    launch_article("After the copy")
    seeded = _rows_without_password_salts()
    assert copied == seeded
    assert all(seeded[name] for name in ("user", "process_instance", "event", "notification"))
