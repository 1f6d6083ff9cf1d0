"""board column index

A process board shows each column's most urgent cards first and counts all of them: the
column index holds a template's items by state and stage in the column's order (due moment,
then id), so a column's first cards are read in order and stopped after a page, and the
counts (with the people filters too) and the people of the filter are read from the index
alone. The waiting index lets every page count the person's waiting items from the index.

Revision ID: 0010_board_column_index
Revises: 0009_calendar_days
Create Date: 2026-12-07 17:30:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0010_board_column_index"
down_revision = "0009_calendar_days"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_process_instance_column": [
        "template_id",
        "state",
        "stage_id",
        "stage_due_at",
        "id",
        "assignee_id",
    ],
    "ix_process_instance_waiting": ["assignee_id", "state"],
}


def upgrade():
    for name, columns in INDEXES.items():
        op.create_index(name, "process_instance", columns, unique=False)


def downgrade():
    for name in INDEXES:
        op.drop_index(name, table_name="process_instance")
