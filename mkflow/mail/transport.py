"""How mail leaves: an SMTP server, or the log when none is configured."""

import logging
import smtplib
from email.message import EmailMessage

from mkflow.models import MailStatus

log = logging.getLogger("mkflow.mail")

# What a send can fail with while the server is down, refuses or drops the line.
SEND_ERRORS = (smtplib.SMTPException, OSError)


class SmtpTransport:
    """One connection per batch, opened on the first mail and reopened after an error."""

    delivered = MailStatus.SENT

    def __init__(self, host, port, user="", password="", starttls=True, timeout=10.0):
        self.host, self.port, self.timeout = host, port, timeout
        self.user, self.password, self.starttls = user, password, starttls
        self._smtp: smtplib.SMTP | None = None

    def send(self, message: EmailMessage) -> None:
        try:
            if self._smtp is None:
                self._smtp = self._connect()
            self._smtp.send_message(message)
        except SEND_ERRORS:
            self.close()
            raise

    def _connect(self) -> smtplib.SMTP:
        smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            if self.starttls:
                smtp.starttls()
            if self.user:
                smtp.login(self.user, self.password)
        except BaseException:
            smtp.close()
            raise
        return smtp

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except SEND_ERRORS:
                self._smtp.close()
            self._smtp = None


class LogTransport:
    """Without an SMTP server: the mail goes to the log (and stays in the outbox)."""

    delivered = MailStatus.LOGGED

    def send(self, message: EmailMessage) -> None:
        log.info("Mail to %s: %s\n%s", message["To"], message["Subject"], _text_of(message))

    def close(self) -> None:
        pass


def _text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part else ""


def from_config(config) -> SmtpTransport | LogTransport:
    if not config.get("MKFLOW_SMTP_HOST"):
        return LogTransport()
    return SmtpTransport(
        config["MKFLOW_SMTP_HOST"],
        config["MKFLOW_SMTP_PORT"],
        config["MKFLOW_SMTP_USER"],
        config["MKFLOW_SMTP_PASSWORD"],
        config["MKFLOW_SMTP_STARTTLS"],
        config["MKFLOW_SMTP_TIMEOUT"],
    )
