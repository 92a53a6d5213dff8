"""Email to the owner through the shop's own SMTP server (smtplib): the alerts and summaries texts may not carry.

`SmtpMailer.send(to, subject, body)` raises `MailError` when the server refuses or cannot be
reached; the notice sender tries again later.
"""
from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from kebabalab.errors import KebabalabError

SECURITY = ("starttls", "ssl", "none")


class MailError(KebabalabError):
    """The SMTP server refused the mail or could not be reached."""


class SmtpMailer:
    """Sends plain-text mail; `security`: starttls (port 587), ssl (465) or none (a relay on this machine)."""

    def __init__(self, host: str, port: int, sender: str, *, username: str = "", password: str = "",
                 security: str = "starttls", timeout: float = 10):
        if security not in SECURITY:
            raise ValueError(f"SMTP security is {', '.join(SECURITY)}, not {security!r}")
        self.host, self.port, self.sender = host, port, sender
        self.username, self.password, self.security, self.timeout = username, password, security, timeout

    def send(self, to: str, subject: str, body: str) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, to, subject
        message.set_content(body)
        try:
            with self._connect() as smtp:
                if self.security == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
                if self.username:
                    smtp.login(self.username, self.password)
                smtp.send_message(message)
        except (smtplib.SMTPException, OSError) as exc:
            raise MailError(f"mail to the owner not sent: {type(exc).__name__}: {exc}"[:300]) from None

    def _connect(self) -> smtplib.SMTP:
        if self.security == "ssl":
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                    context=ssl.create_default_context())
        return smtplib.SMTP(self.host, self.port, timeout=self.timeout)
