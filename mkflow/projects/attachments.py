"""Files attached to tasks: stored under instance/attachments by a random name.

The name the user gave is cleaned for display and for the download header only; the
content type sent back comes from a short list of harmless types, everything else is a
plain download (``application/octet-stream``).
"""

import mimetypes
import re
import secrets
import unicodedata
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from mkflow.core import clock
from mkflow.core.database import db
from mkflow.core.errors import DomainError, NotFound
from mkflow.models import Attachment, Task, User
from mkflow.people import project_access

# Programs a click would run on the recipient's machine.
REFUSED_EXTENSIONS = frozenset(
    # Programs, scripts, shortcuts and disk images Windows runs or mounts on a double-click.
    "exe com bat cmd msi msp scr pif vbs vbe js jse wsf wsh ps1 psm1 psd1 hta cpl dll jar sh "
    "app lnk reg msc chm url appref-ms iso img vhd vhdx inf scf gadget application".split()
)
# Shown in the browser; anything else is downloaded as bytes.
INLINE_TYPES = frozenset(
    {"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain"}
)
# The first bytes of programs, whatever the file is called: Windows (MZ), Linux (ELF),
# macOS (Mach-O, also fat binaries and Java classes), scripts (#!), Windows shortcuts.
PROGRAM_MAGIC = (
    b"MZ",
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
    b"#!",
    b"L\x00\x00\x00\x01\x14\x02\x00",
)
MAX_NAME = 150
CHUNK = 64 * 1024


def folder() -> Path:
    path = Path(current_app.instance_path) / "attachments"
    path.mkdir(parents=True, exist_ok=True)
    return path


def limit_text() -> str:
    """The size limit in megabytes as configured, e.g. "20"."""
    return f"{current_app.config['MKFLOW_MAX_ATTACHMENT_MB']:g}"


def max_bytes() -> int:
    return int(current_app.config["MKFLOW_MAX_ATTACHMENT_MB"] * 1024 * 1024)


def clean_name(raw: str) -> str:
    """The last path part, without control characters, leading dots or trailing dots and
    spaces, at most 150 chars."""
    name = unicodedata.normalize("NFC", raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r'[<>:"|?*]+', "_", name).strip().lstrip(".").strip()
    name = name.rstrip(". ")  # Windows drops them: "evil.exe." is saved as "evil.exe"
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        name = (
            (stem[: MAX_NAME - len(ext) - 1] + dot + ext)
            if dot and len(ext) < 10
            else name[:MAX_NAME]
        )
    return name


def judged_extensions(raw: str) -> set[str]:
    """The extensions a file would have on the recipient's machine: of the name as given,
    compared without case, width variants, an NTFS stream (":stream") or trailing dots and
    spaces (Windows drops them), and of the name as we store it."""
    given = unicodedata.normalize("NFKC", raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    names = (given.partition(":")[0], clean_name(raw))
    return {name.casefold().rstrip(". \t").rpartition(".")[2] for name in names if "." in name}


def is_program(head: bytes) -> bool:
    return head.startswith(PROGRAM_MAGIC)


def content_type(filename: str) -> str:
    guessed = mimetypes.guess_type(filename)[0]
    return guessed if guessed in INLINE_TYPES else "application/octet-stream"


def save(task: Task, actor: User, raw_name: str, stream: BinaryIO) -> Attachment:
    """Store the upload; refuse empty, oversized or executable files with a clear message."""
    if not project_access.can_work(actor, task.project):
        raise DomainError(_l("Only the project's workgroup can attach files."))
    name = clean_name(raw_name)
    if not name:
        raise DomainError(_l("The file has no usable name."))
    refused = sorted(judged_extensions(raw_name) & REFUSED_EXTENSIONS)
    if refused:
        raise DomainError(_l("Files of type .%(ext)s cannot be attached.", ext=refused[0]))
    stored_name = secrets.token_hex(16)
    target = folder() / stored_name
    limit, size = max_bytes(), 0
    try:
        with target.open("wb") as out:
            while chunk := stream.read(CHUNK):
                if size == 0 and is_program(chunk):
                    raise DomainError(
                        _l("This file is a program, and programs cannot be attached.")
                    )
                size += len(chunk)
                if size > limit:
                    raise DomainError(
                        _l(
                            "The file is larger than %(mb)s MB.",
                            mb=limit_text(),
                        )
                    )
                out.write(chunk)
        if size == 0:
            raise DomainError(_l("The file is empty."))
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    attachment = Attachment(
        task_id=task.id,
        filename=name,
        stored_name=stored_name,
        content_type=content_type(name),
        size=size,
        uploaded_by=actor,
        at=clock.now(),
    )
    db.session.add(attachment)
    db.session.flush()
    return attachment


def of_task(task: Task) -> list[Attachment]:
    query = select(Attachment).where(Attachment.task_id == task.id).order_by(Attachment.id)
    return list(db.session.scalars(query))


def get(task: Task, attachment_id: int) -> Attachment:
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.task_id != task.id:
        raise NotFound(_l("There is no such file."))
    return attachment


def path_of(attachment: Attachment) -> Path:
    return folder() / attachment.stored_name


def remove(task: Task, actor: User, attachment_id: int) -> Path:
    """Delete the row; returns the file for the caller to delete once the change is committed
    (a failed commit then leaves an orphan file, never a row without its file)."""
    attachment = get(task, attachment_id)
    if task.project.archived_at is not None:  # an archived project is read-only
        raise DomainError(_l("The project is archived."))
    if not (
        project_access.is_manager(actor, task.project) or attachment.uploaded_by_id == actor.id
    ):
        raise DomainError(_l("Only the person who attached the file or the manager can remove it."))
    db.session.delete(attachment)
    db.session.flush()
    return path_of(attachment)
