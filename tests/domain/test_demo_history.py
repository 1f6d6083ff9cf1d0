"""The demo company has a believable past: months of finished items, mostly on time, some
late, some reworked; project tasks done when their dates say; old notices read and unmailed."""

from datetime import timedelta

from sqlalchemy import func, select
from support import launch_article

from mkflow.core import clock
from mkflow.core.database import db
from mkflow.models import (
    InstanceState,
    Notification,
    OutboxMessage,
    ProcessInstance,
    Task,
    TaskStatus,
)
from mkflow.seeding import demo_history


def test_months_of_finished_items_mostly_on_time_their_old_notices_read(processes):
    earlier = launch_article("Someone's real work", at=clock.now() - timedelta(days=5))
    db.session.commit()
    theirs = select(Notification).where(Notification.instance_id == earlier.id)
    mark = demo_history.last_notice_id()
    report = demo_history.load_demo_history("en")
    demo_history.settle_old_notifications(mark)
    db.session.commit()
    finished = db.session.scalars(
        select(ProcessInstance).where(
            ProcessInstance.state == InstanceState.DONE, ProcessInstance.id != earlier.id
        )
    ).all()
    assert report.created["finished items"] == len(finished) >= 40
    first = min(item.created_at for item in finished)
    assert clock.now() - first > timedelta(weeks=12)
    dated = [i for i in finished if i.deadline]
    late = [i for i in dated if clock.company_today(i.finished_at) > i.deadline]
    assert 0.05 < len(late) / len(dated) < 0.3  # mostly on time, some late
    assert any(item.rework_count for item in finished)
    assert all(item.finished_at < clock.now() for item in finished)
    # loading again adds nothing: the past is written once
    assert demo_history.load_demo_history("en").created.get("finished items", 0) == 0

    # The demo's old notices were read then and are not mailed now; nobody else's changed.
    assert all(note.read_at is None for note in db.session.scalars(theirs))
    old = (Notification.at < clock.now() - timedelta(days=2)) & (Notification.id > mark)
    unread = select(func.count()).where(old, Notification.read_at.is_(None))
    assert db.session.scalar(unread) == 0
    assert db.session.scalar(select(func.count()).select_from(Notification).where(old)) > 100
    queued = select(func.count()).select_from(OutboxMessage).join(Notification).where(old)
    assert db.session.scalar(queued) == 0


def test_demo_tasks_were_done_when_their_dates_say(demo_projects):
    done = db.session.scalars(select(Task).where(Task.status == TaskStatus.DONE)).all()
    assert done
    moments = {task.status_changed_at for task in done}
    assert min(moments) < clock.now() - timedelta(days=14)  # not all stamped at load time
    assert len(moments) > len(done) // 2
