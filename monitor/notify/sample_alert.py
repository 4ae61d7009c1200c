"""``monitor test-alert``: a sample alert, sent straight to channels (not through the outbox)."""

from __future__ import annotations

from dataclasses import replace

import httpx

from monitor.core.alert import Alert, make_alert
from monitor.core.events import Event
from monitor.core.model import Config, Source
from monitor.notify.delivery import _send, make_channel, new_alert_id

SAMPLE_BEFORE = ("A petition supporting this initiative has collected more than 100,000 "
                 "signatures, which means that it will be examined for debate in Parliament.")
SAMPLE_AFTER = ("A petition supporting this initiative has collected more than 10,000 "
                "signatures, which means that it may be examined for debate in Parliament.")


def sample_alert() -> Alert:
    """A realistic ``changed`` alert built from a real diff, for ``monitor test-alert``."""
    from monitor.core.diff import diff_documents
    from monitor.core.document import Document
    from monitor.core.schedule import Schedule

    title = "UK accuses China of ‘gross’ human rights violations against Uighurs"
    before = Document(title=title, paragraphs=(SAMPLE_BEFORE,))
    after = Document(title=title, paragraphs=(SAMPLE_AFTER,))
    source = Source(id="test-alert", url="https://www.bbc.co.uk/news/uk-53463003",
                    schedule=Schedule(every=3600), tags=("test",))
    from monitor.store.records import now_iso

    return replace(make_alert(Event.CHANGED, alert_id=new_alert_id(), source=source, title=title,
                              detected_at=now_iso(), revision=None,
                              diff=diff_documents(before, after)), test=True)


async def send_test_alert(config: Config, names: list[str]) -> dict[str, str | None]:
    """Send one sample alert to each named channel; the error per channel, or None."""
    alert = sample_alert().to_json()
    timeout = httpx.Timeout(config.settings.delivery_timeout)
    async with httpx.AsyncClient(timeout=timeout, follow_redirects=False,
                                 headers={"User-Agent": config.settings.user_agent}) as client:
        return {name: (await _send(make_channel(config.channels[name]), alert, client)).error
                for name in names}
