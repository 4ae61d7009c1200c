"""The email for one alert or digest: multipart HTML and text, with threading headers.

Mail is where evidence is kept, so the message carries the whole changed
paragraphs, not excerpts: an HTML part in which deleted words are struck
through in red and inserted words highlighted in green (the alert's own
word-level diff), the title and link, the reason and the times (a removal:
the last text seen) and the link into the web view ("see the change"), with the
git revisions and the ``monitor diff`` command in a footer; and a plain-text part
with the same content in ``[-old-]{+new+}`` notation for clients that show no HTML.

Threading: each message's ``Message-ID`` is built from the alert id, and
``In-Reply-To`` / ``References`` name one stable id per source
(``<monitor.SOURCE@domain>``), so Thunderbird, Apple Mail and Outlook group a
source's alerts into one thread. (Gmail also needs the same subject, and the
subject names the event, so there each alert is its own conversation.) A
resent alert has the same ``Message-ID``, which lets many mail stores drop it.

Building a message is pure; sending it is ``email.py``'s.
"""

from __future__ import annotations

import re
from email.message import EmailMessage
from email.utils import formatdate, getaddresses, parseaddr
from typing import Any

from monitor.notify.channels import render as r
from monitor.notify.channels.render import Note

HTML_LIMIT = 400_000  # bytes of changed passages in one message
MAX_BLOCKS = 100  # changed paragraphs in one message; the rest is in `monitor diff`
MAX_FRAGMENTS = 12  # removed/added fragments listed at the top

FONT = ("-apple-system,BlinkMacSystemFont,'Segoe UI',Helvetica,Arial,sans-serif")
MUTED = "#57606a"
CODE = ("font-family:SFMono-Regular,Consolas,'Liberation Mono',Menlo,monospace;"
        "font-size:12px;background:#f6f8fa;padding:1px 4px;border-radius:4px")


def domain_of(settings: dict[str, Any]) -> str:
    """The domain for Message-IDs: the sender's, so ids are unique to this sender."""
    address = parseaddr(str(settings.get("from") or ""))[1]
    domain = address.rpartition("@")[2].strip().lower()
    return domain if re.fullmatch(r"[a-z0-9.-]+", domain or "-") else "monitor.invalid"


def msg_id_part(text: str) -> str:
    """Text safe inside ``<…@domain>`` (source ids already are; be sure)."""
    return re.sub(r"[^A-Za-z0-9._-]", lambda m: f"={ord(m.group()):02X}", text)


def thread_id(source_id: str, domain: str) -> str:
    """The stable per-source id every alert of that source replies to."""
    return f"<monitor.{msg_id_part(source_id)}@{domain}>"


def recipients(settings: dict[str, Any]) -> list[str]:
    value = settings.get("to") or []
    items = [value] if isinstance(value, str) else [str(v) for v in value]
    return [address for _, address in getaddresses(items) if address]


def code(text: str) -> str:
    return f'<code style="{CODE}">{r.escape_html(text)}</code>'


def page(subject: str, inner: str, footer: str) -> str:
    """The HTML document around a message: one centred white card, inline CSS only."""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{r.escape_html(subject)}</title></head>\n"
        f'<body style="margin:0;padding:0;background:#f6f8fa">\n'
        f'<div style="max-width:720px;margin:0 auto;padding:24px 12px;font-family:{FONT};'
        'font-size:15px;line-height:1.55;color:#24292f">\n'
        '<div style="background:#ffffff;border:1px solid #d0d7de;border-radius:6px;'
        f'padding:20px 24px">\n{inner}\n</div>\n'
        f'<p style="margin:12px 4px 0;font-size:12px;color:{MUTED}">{footer}</p>\n'
        "</div>\n</body></html>\n")


def fragments_html(fragments: list[str], style: str, tag: str) -> str:
    shown = [f'<{tag} style="{style}">{r.escape_html(f)}</{tag}>'
             for f in fragments[:MAX_FRAGMENTS]]
    more = (f' <span style="color:{MUTED}">and {len(fragments) - MAX_FRAGMENTS} more</span>'
            if len(fragments) > MAX_FRAGMENTS else "")
    return ", ".join(shown) + more


def fact_row(name: str, value_html: str) -> str:
    return (f'<tr><td style="padding:2px 16px 2px 0;color:{MUTED};white-space:nowrap;'
            f'vertical-align:top">{r.escape_html(name)}</td>'
            f'<td style="padding:2px 0;vertical-align:top">{value_html}</td></tr>')


def alert_html(alert: dict[str, Any], subject: str) -> str:
    v = r.view(alert)
    heading = r.escape_html(v.heading)
    subtitle = (f'<p style="margin:0 0 4px;font-size:15px">{r.escape_html(v.title)}</p>'
                if v.name else "")
    if v.url.startswith(("http://", "https://")):
        url = r.escape_html(v.url)
        heading = f'<a href="{url}" style="color:#0969da;text-decoration:none">{heading}</a>'
        link = (f'<p style="margin:0 0 16px;font-size:13px;word-break:break-all">'
                f'<a href="{url}" style="color:{MUTED}">{url}</a></p>')
    else:
        link = ""
    review = (f'<p style="margin:0 0 16px;font-size:14px"><a href="{r.escape_html(v.review[1])}"'
              f' style="color:#0969da">{r.escape_html(v.review[0])}</a></p>'
              if v.review else "")
    rows = [fact_row("Source", code(v.source_id))]
    if v.removed:
        rows.append(fact_row("Removed", fragments_html(v.removed, r.DEL_STYLE, "del")))
    if v.added:
        rows.append(fact_row("Added", fragments_html(v.added, r.INS_STYLE, "ins")))
    for name, value in v.facts:
        if name in r.URL_FACTS and value.startswith(("http://", "https://")):
            shown = f'<a href="{r.escape_html(value)}">{r.escape_html(value)}</a>'
        else:
            shown = r.escape_html(value)
        rows.append(fact_row(name, shown))
    parts = [
        f'<p style="margin:0 0 6px;font-size:12px;font-weight:600;letter-spacing:.05em;'
        f'text-transform:uppercase;color:{v.colour}">{r.escape_html(v.label)}</p>',
        f'<h1 style="margin:0 0 4px;font-size:20px;line-height:1.3;font-weight:600">'
        f'{heading}</h1>',
        subtitle,
        link,
        review,
        "".join(f'<p style="margin:0 0 4px;font-size:15px;font-weight:600">'
                f'{r.escape_html(line)}</p>' for line in v.classes),
        '<table role="presentation" style="border-collapse:collapse;font-size:14px;'
        f'margin:0 0 8px">{"".join(rows)}</table>',
        "".join(f'<p style="margin:0 0 4px;font-style:italic">{r.escape_html(note)}</p>'
                for note in v.notes),
    ]
    if v.excerpt:
        parts.append('<h2 style="margin:20px 0 10px;font-size:15px;font-weight:600">'
                     f'{r.escape_html(v.excerpt_label)}</h2>')
        parts.append('<blockquote style="margin:0;padding:8px 12px;border-left:3px solid '
                     '#d0d7de;background:#fafbfc">' + "".join(
                         f'<p style="margin:0 0 8px">{r.escape_html(p)}</p>'
                         for p in v.excerpt.split("\n\n")) + "</blockquote>")
    if v.blocks:
        blocks = [r.excerpts([b], context=10_000, change_chars=r.EMAIL_CHANGE_CHARS)[0]
                  for b in v.blocks]
        note: Note = lambda n: (f'<p style="margin:12px 0 0;color:{MUTED};font-style:italic">'  # noqa: E731
                          f'{r.more_changes(n)}: the footer\'s command shows them all</p>')
        fitted = r.fit([(f'<div style="margin:0 0 12px;padding:8px 12px;border-left:3px '
                         f'solid #d0d7de;background:#fafbfc">{r.email_html(b)}</div>',
                         r.count_changes(b)) for b in blocks],
                       HTML_LIMIT, note=note, sep="\n", max_pieces=MAX_BLOCKS,
                       measure=lambda s: len(s.encode()))
        parts.append('<h2 style="margin:20px 0 10px;font-size:15px;font-weight:600">'
                     'What changed</h2>')
        parts.append(fitted.joined("\n"))
        if fitted.left_out:
            parts.append(note(fitted.left_out))
    return page(subject, "\n".join(p for p in parts if p), footer(alert))


def footer_items(alert: dict[str, Any]) -> list[tuple[str, str]]:
    """The footer for tools: full revisions (mail is kept as evidence), the command, the id."""
    items = []
    if alert.get("revision"):
        items.append(("Revision", str(alert["revision"])))
    if alert.get("previous_revision") and alert.get("previous_revision") != alert.get(
            "revision"):
        items.append(("Previous", str(alert["previous_revision"])))
    if alert.get("reverts_to"):
        items.append(("Reverts to", str(alert["reverts_to"])))
    if (alert.get("diff") or {}).get("unified") and not alert.get("test"):
        items.append(("Full diff", f"monitor diff {alert.get('source_id', '')}"))
    items.append(("Alert", str(alert.get("id", ""))))
    return items


def footer(alert: dict[str, Any]) -> str:
    items = [f"{r.escape_html(name)} {code(value)}" for name, value in footer_items(alert)]
    return " · ".join(items) + "<br>Sent by monitor, which watches these pages for edits " \
                               "and removals."


def alert_text(alert: dict[str, Any]) -> str:
    v = r.view(alert)
    lines = [f"{v.icon} {v.headline}"]
    if v.name:
        lines.append(v.title)
    if v.url:
        lines.append(v.url)
    if v.review:
        lines.append(f"{v.review[0]}: {v.review[1]}")
    if v.classes:
        lines += ["", *v.classes]
    lines += ["", f"Source: {v.source_id}"]
    if v.removed:
        lines.append(f"Removed: {r.quoted(v.removed, max_items=MAX_FRAGMENTS, max_chars=200)}")
    if v.added:
        lines.append(f"Added: {r.quoted(v.added, max_items=MAX_FRAGMENTS, max_chars=200)}")
    lines += [f"{name}: {value}" for name, value in v.facts]
    lines += v.notes
    if v.excerpt:
        lines += ["", f"{v.excerpt_label}:", "", *(f"> {line}" if line else ">"
                                                for line in v.excerpt.split("\n"))]
    if v.blocks:
        blocks = [r.excerpts([b], context=10_000, change_chars=r.EMAIL_CHANGE_CHARS)[0]
                  for b in v.blocks]
        note: Note = lambda n: f"{r.more_changes(n)}: the footer's command shows them all"  # noqa: E731
        fitted = r.fit([(r.plain(b), r.count_changes(b)) for b in blocks], HTML_LIMIT,
                       note=note, max_pieces=MAX_BLOCKS, measure=lambda s: len(s.encode()))
        lines += ["", "What changed ([-removed-] {+added+}):", "", fitted.joined("\n\n")]
        if fitted.left_out:
            lines += ["", note(fitted.left_out)]
    lines += ["", "-- ", *(f"{name}: {value}" for name, value in footer_items(alert))]
    return "\n".join(lines) + "\n"


def digest_html(digest: dict[str, Any], subject: str) -> str:
    d = r.digest_view(digest)
    items = []
    for alert in (digest.get("alerts") or [])[:MAX_BLOCKS]:
        v = r.view(alert)
        changes = ""
        if v.removed or v.added:
            changes = " — " + " → ".join(filter(None, [
                fragments_html(v.removed[:3], r.DEL_STYLE, "del") if v.removed else "",
                fragments_html(v.added[:3], r.INS_STYLE, "ins") if v.added else ""]))
        reason = f" ({r.escape_html(v.reason)})" if v.reason and v.event != "moved" else ""
        if v.event == "moved" and v.url.startswith(("http://", "https://")):
            reason = f' → <a href="{r.escape_html(v.url)}">{r.escape_html(v.url)}</a>'
        review = (f' · <a href="{r.escape_html(v.review[1])}">{r.escape_html(v.review[0])}</a>'
                  if v.review else "")
        items.append(f"<li>{code(v.source_id)} <strong>{r.escape_html(v.label)}</strong>"
                     f"{reason}{changes}{review}</li>")
    more = len(digest.get("alerts") or []) - len(items)
    inner = (f'<p style="margin:0 0 6px;font-size:12px;font-weight:600;letter-spacing:.05em;'
             f'text-transform:uppercase;color:{MUTED}">Digest · {r.escape_html(d.period)}</p>'
             f'<h1 style="margin:0 0 16px;font-size:20px">{r.escape_html(d.headline)}</h1>'
             f"{r.digest_html_table(d, max_rows=500)}"
             '<h2 style="margin:20px 0 10px;font-size:15px">Alerts</h2>'
             f'<ul style="padding-left:20px;margin:0">{"".join(items)}</ul>'
             + (f"<p>…and {more} more alerts — see {code('monitor alerts')}</p>" if more else ""))
    return page(subject, inner, f"digest {r.escape_html(str(digest.get('id', '')))}<br>Sent by "
                                "monitor, which watches these pages for edits and removals.")


def digest_text(digest: dict[str, Any]) -> str:
    d = r.digest_view(digest)
    lines = [f"📋 {d.headline}", d.period, "", r.digest_text_table(d, max_rows=500), ""]
    for alert in (digest.get("alerts") or [])[:MAX_BLOCKS]:
        v = r.view(alert)
        review = f" · {v.review[0]}: {v.review[1]}" if v.review else ""
        lines.append(f"- {r.gist(v)} [{v.source_id}] {v.url}{review}")
    return "\n".join(lines) + "\n"


def subject_of(settings: dict[str, Any], headline: str) -> str:
    prefix = str(settings.get("subject_prefix", "[monitor]") or "").strip()
    return r.truncate(" ".join(f"{prefix} {headline}".split()), 250)


def build_message(alert: dict[str, Any], settings: dict[str, Any]) -> EmailMessage:
    """The multipart/alternative message for one alert, with its threading headers."""
    v = r.view(alert)
    domain = domain_of(settings)
    subject = subject_of(settings, v.headline)
    message = _envelope(settings, subject, f"<{msg_id_part(str(alert['id']))}@{domain}>")
    thread = thread_id(v.source_id, domain)
    message["In-Reply-To"] = thread
    message["References"] = thread
    message["X-Monitor-Source"] = v.source_id
    message["X-Monitor-Event"] = v.event
    message.set_content(alert_text(alert))
    message.add_alternative(alert_html(alert, subject), subtype="html")
    return message


def build_digest_message(digest: dict[str, Any], settings: dict[str, Any]) -> EmailMessage:
    d = r.digest_view(digest)
    domain = domain_of(settings)
    subject = subject_of(settings, d.headline)
    message = _envelope(settings, subject, f"<{msg_id_part(str(digest['id']))}@{domain}>")
    message["In-Reply-To"] = message["References"] = f"<monitor.digest@{domain}>"
    message["X-Monitor-Event"] = "digest"
    message.set_content(digest_text(digest))
    message.add_alternative(digest_html(digest, subject), subtype="html")
    return message


def _envelope(settings: dict[str, Any], subject: str, message_id: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = str(settings["from"])
    message["To"] = ", ".join(recipients(settings))
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
    message["X-Auto-Response-Suppress"] = "All"  # the same, for Exchange
    return message
