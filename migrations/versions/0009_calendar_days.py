"""calendar days

Revision ID: 0009_calendar_days
Revises: 0008_login_sessions
Create Date: 2026-12-07 15:00:00

The company's working calendar: holidays and moved working days, the exceptions to its weekly
weekend. The table starts empty; `flask calendar load seeds/calendar-ru.toml` fills it.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009_calendar_days"
down_revision = "0008_login_sessions"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "calendar_day",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("off", "working", name="daykind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_day")),
        sa.UniqueConstraint("day", name=op.f("uq_calendar_day_day")),
    )


def downgrade():
    op.drop_table("calendar_day")
