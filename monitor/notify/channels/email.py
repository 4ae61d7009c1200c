"""Email: one multipart message per alert, sent over SMTP with STARTTLS or TLS.

The message itself (its HTML and text parts, its threading headers) is built
in ``email_message``; this module checks the options and sends it.

SMTP runs in a thread (stdlib ``smtplib``) so the event loop never blocks. The
password is only ever sent inside TLS: with neither ``starttls`` nor ``tls`` a
password is a config error, and a server that does not offer STARTTLS is a
delivery error, never a silent fallback to plain text.
"""

from __future__ import annotations

import asyncio
import logging
import re
import smtplib
import socket
import ssl
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr
from typing import Any, ClassVar

import httpx

from monitor.notify.channels import Channel, DeliveryError
from monitor.notify.channels import render as r
from monitor.notify.channels.email_message import (
    build_digest_message,
    build_message,
    recipients,
)

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 30.0


def _text(raw: bytes | str) -> str:
    return raw.decode(errors="replace") if isinstance(raw, bytes) else str(raw)


def smtp_send(settings: dict[str, Any], message: EmailMessage, timeout: float) -> None:
    """Deliver one message (blocking; run it in a thread). DeliveryError names no secret."""
    host = str(settings["host"])
    tls = r.flag(settings.get("tls"), False)
    starttls = r.flag(settings.get("starttls"), True) and not tls
    port = int(settings.get("port") or (465 if tls else 587 if starttls else 25))
    username, password = settings.get("username"), settings.get("password")
    where = f"{host}:{port}"
    try:
        context = ssl.create_default_context(cafile=settings.get("ca_file") or None)
    except (OSError, ssl.SSLError):
        raise DeliveryError("cannot read 'ca_file' (a PEM file of trusted CA certificates)") \
            from None
    try:
        smtp: smtplib.SMTP = (
            smtplib.SMTP_SSL(host, port, local_hostname=socket.gethostname() or "localhost",
                             timeout=timeout, context=context) if tls else
            smtplib.SMTP(host, port, local_hostname=socket.gethostname() or "localhost",
                         timeout=timeout))
        try:
            smtp.ehlo()
            if starttls:
                if not smtp.has_extn("starttls"):
                    raise DeliveryError(f"the SMTP server {where} does not offer STARTTLS; "
                                        "refusing to send in plain text")
                smtp.starttls(context=context)
                smtp.ehlo()
            if username:
                if not smtp.has_extn("auth"):
                    raise DeliveryError(f"the SMTP server {where} offers no AUTH; remove "
                                        "username/password or use its submission port")
                smtp.login(str(username), str(password or ""))
            refused = smtp.send_message(message, parseaddr(str(message["From"]))[1],
                                        recipients(settings))
        finally:  # a failed QUIT after the message was accepted is no failure to deliver
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()
    except DeliveryError:
        raise
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(f"SMTP authentication failed at {where} ({exc.smtp_code}): check "
                            "username and password") from None
    except smtplib.SMTPRecipientsRefused as exc:
        who = "; ".join(f"{rcpt} ({code} {r.redact(_text(text), password)})"
                        for rcpt, (code, text) in exc.recipients.items())
        raise DeliveryError(f"every recipient was refused: {who}") from None
    except smtplib.SMTPResponseException as exc:  # sender refused, data refused, 421, ...
        raise DeliveryError(f"SMTP {exc.smtp_code} from {where}: "
                            f"{r.redact(_text(exc.smtp_error), password)}") from None
    except ssl.SSLCertVerificationError as exc:
        raise DeliveryError(f"the TLS certificate of {where} is not trusted "
                            f"({exc.verify_message}); for a private CA set 'ca_file'") from None
    except ssl.SSLError as exc:
        raise DeliveryError(f"TLS with {where} failed ({exc.reason or 'handshake'}); is "
                            f"'tls' (port 465) or 'starttls' (port 587) the right one?") from None
    except smtplib.SMTPServerDisconnected:
        raise DeliveryError(f"the SMTP server {where} closed the connection") from None
    except TimeoutError:
        raise DeliveryError(f"timed out talking to {where}") from None
    except OSError as exc:
        raise DeliveryError(f"cannot connect to the SMTP server {where} "
                            f"({exc.strerror or type(exc).__name__})") from None
    if refused:  # some took it: a retry would send it twice to those, so it counts as sent
        log.warning("email: %d of %d recipients refused: %s", len(refused),
                    len(recipients(settings)), ", ".join(refused))


ADDRESS = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


class Email(Channel):
    type = "email"
    path_options = ("ca_file",)
    options: ClassVar[dict[str, str]] = {
        "host": "the SMTP server, e.g. smtp.example.org",
        "port": "its port (default 587 with starttls, 465 with tls, else 25)",
        "username": "the SMTP login, if the server wants one",
        "password": "the SMTP password; keep it in ${ENV}",
        "from": "the sender address, e.g. 'Monitor <monitor@example.org>'",
        "to": "the recipients: a list of addresses",
        "starttls": "upgrade the connection with STARTTLS (default true)",
        "tls": "implicit TLS from the first byte (SMTPS, port 465; default false)",
        "ca_file": "a PEM file of CA certificates to trust (a private or self-signed CA)",
        "subject_prefix": "put before every subject (default '[monitor]')",
    }
    required = ("host", "from", "to")

    @classmethod
    def check_options(cls, options: dict[str, Any]) -> list[str]:
        problems = super().check_options(options)
        host = str(options.get("host") or "")
        if host and ("/" in host or ":" in host or " " in host):
            problems.append("'host' is the server's name only, e.g. smtp.example.org "
                            "(the port goes in 'port')")
        port = options.get("port")
        if port is not None and not (str(port).isdigit() and 0 < int(port) < 65536):
            problems.append("'port' must be a number from 1 to 65535")
        sender = options.get("from")
        if sender and not ADDRESS.match(parseaddr(str(sender))[1]):
            problems.append("'from' must be an address, e.g. monitor@example.org")
        to = options.get("to")
        if to:
            items = [to] if isinstance(to, str) else to
            if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
                problems.append("'to' must be a list of addresses")
            else:
                bad = [a for _, a in getaddresses(items) if not ADDRESS.match(a)]
                if bad or not recipients(options):
                    problems.append("'to' must be a list of addresses, e.g. "
                                    "[desk@example.org, editor@example.org]")
        tls, starttls = r.flag(options.get("tls"), False), r.flag(options.get("starttls"), True)
        if tls is None:
            problems.append("'tls' must be true or false")
        if starttls is None:
            problems.append("'starttls' must be true or false")
        if tls and options.get("starttls") is not None and starttls:
            problems.append("set either 'tls: true' (implicit TLS, port 465) or "
                            "'starttls: true' (port 587), not both")
        if bool(options.get("username")) != bool(options.get("password")):
            problems.append("'username' and 'password' go together: set both or neither")
        if options.get("password") and tls is False and starttls is False:
            problems.append("the password would cross the network in plain text: set "
                            "'starttls: true' or 'tls: true'")
        return problems

    async def send(self, alert: dict[str, Any], client: httpx.AsyncClient) -> None:
        await asyncio.to_thread(smtp_send, self.settings, build_message(alert, self.settings),
                                _timeout(client))

    async def send_digest(self, digest: dict[str, Any], client: httpx.AsyncClient) -> None:
        await asyncio.to_thread(smtp_send, self.settings,
                                build_digest_message(digest, self.settings), _timeout(client))


def _timeout(client: httpx.AsyncClient) -> float:
    """The run's delivery timeout (the shared client carries it) for the SMTP socket."""
    timeout = client.timeout
    return timeout.read or timeout.connect or DEFAULT_TIMEOUT
