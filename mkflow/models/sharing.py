"""Share links: read-only views of a board, a chart or a dashboard opened without an
account.

Only a SHA-256 hash of the token is kept; the link names what it shows by ``kind`` and
the project, process template or department it belongs to.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mkflow.core import clock
from mkflow.core.database import db
from mkflow.models.people import Department, User
from mkflow.models.processes import ProcessTemplate
from mkflow.models.projects import Project


class ShareLink(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(30))
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    template_id: Mapped[int | None] = mapped_column(
        ForeignKey("process_template.id", ondelete="CASCADE"), index=True
    )
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("department.id", ondelete="CASCADE"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now, server_default=func.now())
    # The end of the chosen day where its creator is, in UTC: the link works until then.
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]

    project: Mapped[Project | None] = relationship()
    template: Mapped[ProcessTemplate | None] = relationship()
    department: Mapped[Department | None] = relationship()
    created_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<ShareLink {self.id} {self.kind}>"
