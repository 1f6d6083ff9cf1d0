"""board column index

A process board shows each column's most urgent cards first and counts all of them: the
index holds a template's items by state and stage in the column's order (due moment, then
id), so a column's first cards are read in order and stopped after a page, and the counts
are read from the index alone, at 5,000 cards as at 50.

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

NAME = "ix_process_instance_column"
COLUMNS = ["template_id", "state", "stage_id", "stage_due_at", "id"]


def upgrade():
    op.create_index(NAME, "process_instance", COLUMNS, unique=False)


def downgrade():
    op.drop_index(NAME, table_name="process_instance")
