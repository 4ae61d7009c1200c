"""Apprise: any of the ~100 services Apprise speaks, for the long tail.

Apprise is an optional extra (``pip install 'monitor[apprise]'``) so that it is
never a core dependency; it is imported only when an ``apprise`` channel is
checked or used, and its absence is a clear config error, not a crash.

Each alert goes to every URL in ``urls`` as a title and a plain-text body (old
words in ``[-…-]``, new words in ``{+…+}``), which every Apprise service can
show. Apprise says only whether each service took it, so the error names the
failing services by kind (``tgram``, ``json``…), never by URL: Apprise URLs
carry tokens. A retry after a partial failure re-sends to every URL of the
channel; give services their own channel to keep each one exactly-once.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any, ClassVar

import httpx

from monitor.notify.channels import Channel, DeliveryError
from monitor.notify.channels import render as r
from monitor.notify.channels.render import Note

BODY_LIMIT = 3500  # characters: small enough for most services' own limits
MAX_PASSAGES = 6
INSTALL = "the apprise channel needs Apprise: pip install 'monitor[apprise]'"
#: Apprise's four types by kind (a variant not named here takes its event's)
NOTIFY_TYPES = {"changed": "info", "removed": "failure", "restored": "success",
                "moved": "info", "failing": "warning", "recovered": "success",
                "new": "info", "delisted": "warning", "delisted/reverted": "success",
                "noindexed": "warning", "noindexed/reverted": "success",
                "canonical-changed": "warning", "canonical-changed/reverted": "success",
                "digest": "info"}


def load() -> ModuleType | None:
    """The apprise module, or None when the extra is not installed."""
    try:
        return importlib.import_module("apprise")
    except ImportError:
        return None


def _urls(options: dict[str, Any]) -> list[str]:
    value = options.get("urls") or []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def alert_body(alert: dict[str, Any]) -> tuple[str, str]:
    v = r.view(alert)
    head = [line for line in (v.title if v.name else "", v.url) if line]
    head += [*v.classes, f"Source: {v.source_id}"]
    if v.removed and not v.classes:
        head.append(f"Removed: {r.quoted(v.removed)}")
    if v.added and not v.classes:
        head.append(f"Added: {r.quoted(v.added)}")
    head += [f"{name}: {value}" for name, value in v.facts if name != "Detected"]
    head += v.notes
    if v.review:
        head.append(f"{v.review[0]}: {v.review[1]}")
    if v.excerpt:
        head += ["", f"{v.excerpt_label}:", r.truncate(v.excerpt, 1200)]
    top = "\n".join(head)
    footer = f"-- \n{v.footer_text()}" if v.footer else ""
    note: Note = lambda n: r.more_changes(n)  # noqa: E731
    fitted = r.fit([(r.plain(e), r.count_changes(e)) for e in r.excerpts(v.blocks)],
                   BODY_LIMIT - r.units(top) - r.units(footer) - 4, note=note,
                   max_pieces=MAX_PASSAGES)
    parts = [top, *fitted.pieces]
    if fitted.left_out:
        parts.append(note(fitted.left_out))
    if footer:
        parts.append(footer)
    return r.truncate(f"{v.icon} {v.headline}", 250), "\n\n".join(parts)


def notify_type(alert: dict[str, Any]) -> str:
    return r.by_kind(NOTIFY_TYPES, r.alert_kind(alert), "info")


def digest_body(digest: dict[str, Any]) -> tuple[str, str]:
    d = r.digest_view(digest)
    lines = [d.period, ""]
    shown = 0
    for row in d.rows[:r.CHAT_DIGEST_ROWS]:
        line = f"• {row.source_id}: {row.events_text()} — {r.truncate(row.title, 80)}"
        if row.review:
            line += f" · {row.review[0]}: {row.review[1]}"
        if r.units("\n".join([*lines, line])) > BODY_LIMIT - 60:
            break
        lines.append(line)
        shown += 1
    if shown < len(d.rows):
        lines.append(f"…and {len(d.rows) - shown} more sources — see `monitor alerts`")
    return f"📋 {d.headline}", "\n".join(lines)


class Apprise(Channel):
    type = "apprise"
    options: ClassVar[dict[str, str]] = {
        "urls": "a list of Apprise URLs (https://github.com/caronc/apprise/wiki), e.g. "
                "tgram://TOKEN/CHAT or ntfy://topic; keep tokens in ${ENV}",
    }
    required = ("urls",)

    @classmethod
    def check_options(cls, options: dict[str, Any]) -> list[str]:
        problems = super().check_options(options)
        urls = options.get("urls")
        if urls is not None and not (isinstance(urls, str) or (
                isinstance(urls, list) and all(isinstance(u, str) for u in urls))):
            return [*problems, "'urls' must be a list of Apprise URLs"]
        module = load()
        if module is None:
            return [*problems, INSTALL]
        for index, url in enumerate(_urls(options), 1):
            if module.Apprise.instantiate(url) is None:  # the URL itself is never echoed
                problems.append(f"'urls' entry {index} is not a URL Apprise understands "
                                "(see its wiki for the service's form)")
        return problems

    async def send(self, alert: dict[str, Any], client: httpx.AsyncClient) -> None:
        title, body = alert_body(alert)
        await self._notify(title, body, notify_type(alert))

    async def send_digest(self, digest: dict[str, Any], client: httpx.AsyncClient) -> None:
        title, body = digest_body(digest)
        await self._notify(title, body, "info")

    async def _notify(self, title: str, body: str, notify_type: str) -> None:
        module = load()
        if module is None:
            raise DeliveryError(INSTALL)
        failed: list[str] = []
        # one Apprise object per URL, so a failure can name the service that failed
        for url in _urls(self.settings):
            service = module.Apprise()
            if not service.add(url):
                failed.append("an unreadable URL")
                continue
            ok = await service.async_notify(body=body, title=title, notify_type=notify_type,
                                            body_format="text")
            if not ok:
                failed.append(url.split("://", 1)[0] or "?")
        if failed:
            raise DeliveryError(f"apprise: {len(failed)} of {len(_urls(self.settings))} "
                                f"services failed ({', '.join(failed)})")
