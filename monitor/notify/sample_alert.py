"""``monitor test-alert``: a sample alert, sent straight to channels (not through the outbox).

It must never pass for news on a shared list: every channel marks it ``[TEST]``
(``test: true`` in the JSON), its title says it is a test, and its link goes to
a page that is obviously not an article. Its diff is real all the same, so the
message shows what a real edit looks like.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx

from monitor.core.alert import Alert, make_alert
from monitor.core.diff import diff_documents
from monitor.core.document import Document
from monitor.core.events import Event
from monitor.core.model import Config, Source
from monitor.core.schedule import Schedule
from monitor.core.timestamps import stamp
from monitor.notify.delivery import _send, make_channel, new_alert_id

SAMPLE_URL = "https://example.org/monitor-test-alert"
SAMPLE_TITLE = "Test alert from monitor: a sample page, edited to show how a change looks"
SAMPLE_BEFORE = ("This is a sample paragraph for a test alert, not real news: a petition has "
                 "collected more than 100,000 signatures, which means that it will be examined "
                 "for debate.")
SAMPLE_AFTER = ("This is a sample paragraph for a test alert, not real news: a petition has "
                "collected more than 10,000 signatures, which means that it may be examined "
                "for debate.")


def sample_alert(now: datetime | None = None, base_url: str = "") -> Alert:
    """A ``changed`` alert built from a real diff, marked as a test everywhere.

    With ``base_url`` (``settings.web.base_url``) it links the web view as a real
    alert would; it names no commit, so the link is the sample source's timeline.
    """
    now = now or datetime.now(UTC)
    before = Document(title=SAMPLE_TITLE, paragraphs=(SAMPLE_BEFORE,))
    after = Document(title=SAMPLE_TITLE, paragraphs=(SAMPLE_AFTER,))
    source = Source(id="test-alert", url=SAMPLE_URL, schedule=Schedule(every=3600),
                    tags=("test",))
    alert = make_alert(Event.CHANGED, alert_id=new_alert_id(), source=source,
                       title=SAMPLE_TITLE, detected_at=stamp(now), revision=None,
                       diff=diff_documents(before, after), modified=("", ""),
                       previous_detected_at=stamp(now - timedelta(days=1)),
                       base_url=base_url)
    return replace(alert, test=True)


async def send_test_alert(config: Config, names: list[str]) -> dict[str, str | None]:
    """Send one sample alert to each named channel; the error per channel, or None."""
    alert = sample_alert(base_url=config.settings.web.base_url).to_json()
    timeout = httpx.Timeout(config.settings.delivery_timeout)
    async with httpx.AsyncClient(timeout=timeout, follow_redirects=False,
                                 headers={"User-Agent": config.settings.user_agent}) as client:
        return {name: (await _send(make_channel(config.channels[name]), alert, client)).error
                for name in names}
