"""What a published template version holds, kept in the process.

A published version is never edited again (the editor changes a draft), so its stages can be
read once per process instead of once per request. Entries are keyed on the version's id and
its publication time: an id can come back after a database is emptied (the tests do this), a
publication time with it cannot. Each worker process keeps its own copy of immutable data,
so workers never disagree.
"""

from flask import current_app
from sqlalchemy import select

from mkflow.core.database import db
from mkflow.models import Stage, StageKind, TemplateVersion

StageHead = tuple[str, str, StageKind]  # key, name, kind


def _cache() -> dict:
    """One cache per app: the tests build an app per test on the same database."""
    return current_app.extensions.setdefault("mkflow.published", {})


def stage_heads(version: TemplateVersion | None) -> tuple[StageHead, ...]:
    """(key, name, kind) of the version's stages in order: a board's columns."""
    if version is None:
        return ()
    if version.published_at is None:  # a draft can still change
        return _load_stage_heads(version.id)
    key = ("stage_heads", version.id, version.published_at)
    cache = _cache()
    if key not in cache:
        cache[key] = _load_stage_heads(version.id)
    return cache[key]


def _load_stage_heads(version_id: int) -> tuple[StageHead, ...]:
    rows = db.session.execute(
        select(Stage.key, Stage.name, Stage.kind)
        .where(Stage.version_id == version_id)
        .order_by(Stage.position)
    )
    return tuple((key, name, StageKind(kind)) for key, name, kind in rows)
