"""A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives.

For tests that send alerts by email through the command line: no TLS and no
login (a channel with ``starttls: false`` and no password), which is enough to
see the message as a reader's client would. tests/test_channels.py covers
STARTTLS, implicit TLS and AUTH against its own servers.
"""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


@dataclass
class Mailbox:
    """The messages one SMTP server received, parsed as a mail client would."""

    messages: list[EmailMessage] = field(default_factory=list)
    port: int = 0

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        assert isinstance(envelope.content, bytes)
        self.messages.append(email.message_from_bytes(
            envelope.content, policy=email.policy.default))
        return "250 Message accepted for delivery"

    def channel_yaml(self, name: str = "desk-mail") -> str:
        """The sources.yaml ``channels:`` entry that sends to this server."""
        return (f"{name}:\n  type: email\n  host: 127.0.0.1\n  port: {self.port}\n"
                "  starttls: false\n  from: monitor@example.org\n  to: [desk@example.org]\n")


def body(message: EmailMessage, kind: str) -> str:
    """The ``plain`` or ``html`` part's text, with plain newlines."""
    part = message.get_body((kind,))
    assert part is not None
    return str(part.get_content()).replace("\r\n", "\n")


class _Controller(Controller):
    """aiosmtpd's controller on a free port (it cannot take port 0 by itself)."""

    def _trigger_server(self) -> None:
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        super()._trigger_server()  # type: ignore[no-untyped-call]


@contextmanager
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox()
    controller = _Controller(box, hostname="127.0.0.1", port=0)
    controller.start()
    box.port = controller.port
    try:
        yield box
    finally:
        controller.stop()
