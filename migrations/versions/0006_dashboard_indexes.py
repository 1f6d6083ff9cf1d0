"""dashboard indexes

Events by the stage they enter and by the task status they set, each with its time: the
dashboards read a period of items finished and of tasks done.

Revision ID: 0006_dashboard_indexes
Revises: 0005_mail_and_schedules
Create Date: 2026-11-28 04:00:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0006_dashboard_indexes"
down_revision = "0005_mail_and_schedules"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_event_to_stage_at": ["to_stage_id", "at"],
    "ix_event_to_status_at": ["to_status", "at"],
}


def upgrade():
    with op.batch_alter_table("event", schema=None) as batch_op:
        for name, columns in INDEXES.items():
            batch_op.create_index(name, columns, unique=False)


def downgrade():
    with op.batch_alter_table("event", schema=None) as batch_op:
        for name in INDEXES:
            batch_op.drop_index(name)
