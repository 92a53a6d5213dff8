"""A local SMTP server (aiosmtpd) on 127.0.0.1 that keeps every mail it is given, for the owner's alerts.

    with FakeSmtp() as smtp:
        settings = Settings(smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_security="none", ...)
        smtp.mails                       # [(envelope sender, recipients, email.message.EmailMessage)]
"""
from __future__ import annotations

import threading
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller

from tests.servers import free_port


class FakeSmtp:
    def __init__(self):
        self.port = free_port()
        self.mails: list[tuple[str, list[str], object]] = []
        self._lock = threading.Lock()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's handler hook
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        with self._lock:
            self.mails.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def __enter__(self) -> "FakeSmtp":
        self._controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self._controller.stop()
