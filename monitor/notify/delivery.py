"""Alerts: built from an event, written durably, then delivered to channels.

The outbox in the state database is the source of truth. An alert is in the
outbox (in the same transaction as the state change that caused it) before it
is written to ``alerts/`` and before any channel sees it; each channel's
delivery is marked only after the receiver said 2xx. A crash between the two
can cause one repeat, which carries the same ``id`` and ``Idempotency-Key``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from ulid import ULID

from monitor.core.alert import Alert
from monitor.core.events import Event
from monitor.core.model import ChannelConfig, Config, Source
from monitor.core.timestamps import parse_stamp, stamp
from monitor.fetch.retry_after import bounded
from monitor.notify.channels import REGISTRY, Channel, DeliveryError
from monitor.notify.redact import option_secrets, redact
from monitor.store.records import Delivery, now_iso
from monitor.store.store import Store


def new_alert_id() -> str:
    return str(ULID())


def make_channel(config: ChannelConfig) -> Channel:
    return REGISTRY[config.type](config.name, config.options)


@dataclass
class DeliveryReport:
    delivered: int = 0
    failed: int = 0
    dead: int = 0
    held: int = 0  # not attempted: the channel's settings need an unset variable
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def write_alert_files(store: Store) -> int:
    """Write every outbox alert that has no file in ``alerts/`` yet."""
    return len(store.write_alert_files(store.alerts_without_file()))


DEFAULT_GIVE_UP = 48 * 3600.0  # seconds a delivery is retried before it is a dead letter
BACKOFF_FIRST, BACKOFF_MAX = 30.0, 3600.0


def route(alert: Alert, source: Source, config: Config) -> list[str]:
    """The channels an alert goes to: the source's, narrowed by each channel's filters."""
    names = []
    for channel in config.channels_for(source):
        options = channel.options
        if options.get("events") and alert.event not in options["events"]:
            continue
        if options.get("tags") and not set(options["tags"]) & set(source.tags):
            continue
        if alert.event == Event.CHANGED and not _passes(alert, options):
            continue
        names.append(channel.name)
    return names


def _passes(alert: Alert, options: dict[str, Any]) -> bool:
    """A changed alert against a channel's ``fields``, ``kinds`` and ``min_change``.

    A figure or a quote changed is never too small to tell: one digit can be
    the whole story.
    """
    if options.get("fields") and not alert.fields & set(options["fields"]):
        return False
    if options.get("kinds") and not alert.kinds & set(options["kinds"]):
        return False
    return alert.changed_words >= options.get("min_change", 0) \
        or bool(alert.kinds & {"figure", "quote"})


def backoff(attempts: int, retry_after: float | None) -> float:
    """Seconds to wait after ``attempts`` failures: doubling, capped, jittered."""
    wait = min(BACKOFF_FIRST * 2 ** min(max(attempts - 1, 0), 32), BACKOFF_MAX)
    wait *= random.uniform(0.5, 1.0)
    return float(max(wait, bounded(retry_after) or 0.0))


def _later(seconds: float) -> str:
    return stamp(datetime.now(UTC) + timedelta(seconds=seconds))


def _age(created_at: str) -> float:
    created = parse_stamp(created_at) or datetime.now(UTC)
    return (datetime.now(UTC) - created).total_seconds()


async def deliver_pending(store: Store, config: Config, *,
                          honour_backoff: bool = False) -> DeliveryReport:
    """Try the pending deliveries; what fails stays pending, with its attempt logged.

    ``monitor check`` tries every pending delivery (``honour_backoff=False``);
    the daemon waits out each one's backoff. A channel that fails is not tried
    again in the same run, so an hour-long outage costs one timeout per run,
    not one per alert.
    """
    report = DeliveryReport()
    pending = store.pending_deliveries()
    if not pending:
        return report
    by_channel: dict[str, list[Delivery]] = {}
    for delivery in pending:
        by_channel.setdefault(delivery.channel, []).append(delivery)
    timeout = httpx.Timeout(config.settings.delivery_timeout)
    async with httpx.AsyncClient(timeout=timeout, follow_redirects=False,
                                 headers={"User-Agent": config.settings.user_agent}) as client:
        for name, deliveries in by_channel.items():
            settings = config.channels.get(name)
            if settings is None:
                report.errors.append(f"{len(deliveries)} alert(s) for channel '{name}', which "
                                     f"is no longer in {config.path.name}: kept pending")
                continue
            if settings.missing_secrets:
                _hold(report, settings, len(deliveries))
                continue
            await _deliver_to(store, make_channel(settings), deliveries, client, report,
                              honour_backoff=honour_backoff)
    return report


def _hold(report: DeliveryReport, channel: ChannelConfig, count: int) -> None:
    """Keep a channel's deliveries pending, untried: without its secret a send would go
    to the wrong place or unsigned, and a failure would start its give-up clock."""
    names = ", ".join(channel.missing_secrets)
    verb = "is" if len(channel.missing_secrets) == 1 else "are"
    report.held += count
    report.warnings.append(
        f"{count} alert(s) for channel '{channel.name}' kept pending, not sent: "
        f"environment variable {names} {verb} not set (export it for the run; they are "
        "sent by the next one that has it, and do not count toward giving up)")


async def _deliver_to(store: Store, channel: Channel, deliveries: list[Delivery],
                      client: httpx.AsyncClient, report: DeliveryReport, *,
                      honour_backoff: bool) -> None:
    options = channel.settings
    give_up_after = options.get("give_up_after", DEFAULT_GIVE_UP)
    # Only a delivery that has failed for give_up_after is dead: an alert detected
    # long ago (recovered after an outage, say) that was never tried is still sent.
    expired = [d for d in deliveries
               if d.first_failed_at and _age(d.first_failed_at) > give_up_after]
    if expired:
        store.give_up(channel.name, {d.alert["id"]: _given_up(d.last_error, give_up_after)
                                     for d in expired})
        report.dead += len(expired)
    deliveries = [d for d in deliveries if d not in expired]
    if honour_backoff:
        now = now_iso()
        deliveries = [d for d in deliveries if not d.next_attempt_at or d.next_attempt_at <= now]
    for batch in _batches(store, channel, deliveries):
        ids = [d.alert["id"] for d in batch.deliveries]
        result = await _send(channel, batch.document, client, digest=batch.digest)
        attempts = max(d.attempts for d in batch.deliveries) + 1
        store.record_attempt(ids, channel.name, error=result.error, dead=result.permanent,
                             next_attempt_at=None if result.error is None
                             else _later(backoff(attempts, result.retry_after)))
        if result.error is None:
            report.delivered += len(ids)
            continue
        error = result.error
        if result.permanent:
            report.dead += len(ids)
            report.errors.append(f"{channel.name}: {error}: given up, retrying cannot help")
            continue
        report.failed += len(ids)
        what = "digest" if batch.digest else f"{batch.document['source_id']} " \
                                              f"{batch.document['event']}"
        report.errors.append(f"{what} → {channel.name}: {error}")
        break  # the channel is down or throttling: leave the rest for the next run


def _given_up(last_error: str | None, give_up_after: float) -> str:
    """The dead letter's reason: the real last error, then how long it was retried."""
    if give_up_after >= 3600:
        span = f"{give_up_after / 3600:g}h"
    elif give_up_after >= 60:
        span = f"{give_up_after / 60:g}min"
    else:
        span = f"{give_up_after:g}s"
    return f"{last_error or 'failed'} (given up after failing for {span})"


@dataclass
class _Batch:
    document: dict[str, Any]  # an alert, or a digest of several
    deliveries: list[Delivery]
    digest: bool = False


def _batches(store: Store, channel: Channel, deliveries: list[Delivery]) -> list[_Batch]:
    """One message per alert; for a digest channel, one per elapsed window."""
    window = channel.settings.get("digest")
    if not window:
        return [_Batch(d.alert, [d]) for d in deliveries]
    batches = []
    started: dict[str, list[Delivery]] = {}
    fresh = []
    for delivery in deliveries:
        if delivery.digest_id:  # a digest already sent once: resend it exactly
            started.setdefault(delivery.digest_id, []).append(delivery)
        else:
            fresh.append(delivery)
    for digest_id, members in started.items():
        batches.append(_Batch(store.digest(digest_id), members, digest=True))
    if fresh and _age(min(d.created_at for d in fresh)) >= window:
        alerts = [d.alert for d in fresh]
        digest = {"id": new_alert_id(), "event": "digest", "alerts": alerts,
                  "since": min(a["detected_at"] for a in alerts),
                  "until": max(a["detected_at"] for a in alerts)}
        store.save_digest(digest, channel.name, [a["id"] for a in alerts])
        batches.append(_Batch(digest, fresh, digest=True))
    return batches


@dataclass(frozen=True)
class Attempt:
    error: str | None = None  # in words, naming no secret; None: delivered
    retry_after: float | None = None
    permanent: bool = False


async def _send(channel: Channel, document: dict[str, Any], client: httpx.AsyncClient, *,
                digest: bool = False) -> Attempt:
    """Deliver one alert or digest; what went wrong, in words that name no secret."""
    attempt = await _attempt(channel, document, client, digest=digest)
    if attempt.error is None:
        return attempt
    return replace(attempt, error=redact(attempt.error, option_secrets(channel.settings)))


async def _attempt(channel: Channel, document: dict[str, Any], client: httpx.AsyncClient, *,
                   digest: bool) -> Attempt:
    try:
        if digest:
            await channel.send_digest(document, client)
        else:
            await channel.send(document, client)
    except DeliveryError as exc:
        return Attempt(str(exc), exc.retry_after, exc.permanent)
    except httpx.TimeoutException:
        return Attempt("timed out")
    except httpx.ConnectError:
        return Attempt("cannot connect")
    except httpx.HTTPError as exc:
        return Attempt(type(exc).__name__)
    except Exception as exc:  # a channel's own bug must not stop the others
        return Attempt(f"{type(exc).__name__} in the {channel.type} channel")
    return Attempt()
