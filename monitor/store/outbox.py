"""The alert outbox: every alert and each of its deliveries, in SQLite, until delivered.

An alert is written in the same transaction as the state that raised it, so a
crash can delay a delivery but never lose one.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from monitor.core.alert import Alert
from monitor.store.files import atomic_write_many
from monitor.store.records import Delivery, now_iso
from monitor.store.state import StateTables


class Outbox(StateTables):
    """The alert outbox of a Store, in its state database (a part of it, not used alone)."""

    alerts_dir: Path


    def add_alert(self, db: sqlite3.Connection, alert: Alert, channels: list[str]) -> None:
        db.execute("INSERT OR IGNORE INTO alerts (id, source_id, event, created_at, body) "
                   "VALUES (?, ?, ?, ?, ?)",
                   (alert.id, alert.source_id, str(alert.event), alert.detected_at,
                    json.dumps(alert.to_json(), ensure_ascii=False)))
        db.executemany("INSERT OR IGNORE INTO deliveries (alert_id, channel) VALUES (?, ?)",
                       [(alert.id, channel) for channel in channels])

    def add_rebuilt_alerts(self, db: sqlite3.Connection, alerts: list[Alert]) -> None:
        """Alerts known only from commits' trailers: recorded as made, never sent again."""
        db.executemany("INSERT OR IGNORE INTO alerts (id, source_id, event, created_at, body, "
                       "file_written) VALUES (?, ?, ?, ?, ?, 1)",
                       [(a.id, a.source_id, str(a.event), a.detected_at,
                         json.dumps(a.to_json(), ensure_ascii=False)) for a in alerts])

    def has_alert(self, alert_id: str) -> bool:
        return self._db().execute("SELECT 1 FROM alerts WHERE id = ?",
                                  (alert_id,)).fetchone() is not None

    def alerts_without_file(self) -> list[dict[str, Any]]:
        rows = self._db().execute("SELECT body FROM alerts WHERE file_written = 0 ORDER BY id")
        return [json.loads(row[0]) for row in rows]

    def write_alert_files(self, alerts: list[dict[str, Any]]) -> list[Path]:
        """Write each ``alerts/<id>-<source>-<event>.json`` atomically, then mark them written.

        One directory fsync and one transaction for the lot: a crash before the
        mark leaves files that the next run writes again, byte for byte the same.
        """
        files = {self.alerts_dir / f"{alert['id']}-{alert['source_id']}-{alert['event']}.json":
                 json.dumps(alert, ensure_ascii=False, indent=2).encode() + b"\n"
                 for alert in alerts}
        if not files:
            return []
        atomic_write_many(files)
        with self.transaction() as db:
            db.executemany("UPDATE alerts SET file_written = 1 WHERE id = ?",
                           [(alert["id"],) for alert in alerts])
        return list(files)

    def pending_deliveries(self) -> list[Delivery]:
        rows = self._db().execute(
            "SELECT a.body, d.channel, d.attempts, d.next_attempt_at, d.digest_id, "
            "a.created_at, d.first_failed_at, d.last_error "
            "FROM deliveries d JOIN alerts a ON a.id = d.alert_id "
            "WHERE d.status = 'pending' ORDER BY a.id, d.channel")
        return [Delivery(json.loads(body), *rest) for body, *rest in rows]

    def record_attempt(self, alert_ids: list[str], channel: str, *, error: str | None,
                       next_attempt_at: str | None = None, dead: bool = False) -> None:
        """Log one delivery attempt of these alerts to a channel, and its result.

        The first failure starts the delivery's give-up clock (``first_failed_at``):
        a dead letter is a delivery that kept failing, never one that waited.
        """
        now = now_iso()
        with self.transaction() as db:
            db.executemany("INSERT INTO attempts VALUES (?, ?, ?, ?)",
                           [(alert_id, channel, now, error) for alert_id in alert_ids])
            status = "delivered" if error is None else "dead" if dead else "pending"
            db.executemany(
                "UPDATE deliveries SET status = ?, attempts = attempts + 1, last_error = ?, "
                "last_attempt_at = ?, delivered_at = ?, next_attempt_at = ?, "
                "first_failed_at = CASE WHEN ? THEN first_failed_at "
                "ELSE coalesce(first_failed_at, ?) END "
                "WHERE alert_id = ? AND channel = ?",
                [(status, error, now, now if error is None else None, next_attempt_at,
                  error is None, now, alert_id, channel) for alert_id in alert_ids])

    def give_up(self, channel: str, reasons: dict[str, str]) -> None:
        """Make these alerts' deliveries to ``channel`` dead letters, each with its reason."""
        with self.transaction() as db:
            db.executemany("UPDATE deliveries SET status = 'dead', last_error = ? "
                           "WHERE alert_id = ? AND channel = ?",
                           [(reason, alert_id, channel) for alert_id, reason in reasons.items()])

    def save_digest(self, digest: dict[str, Any], channel: str, alert_ids: list[str]) -> None:
        """Fix a digest's id and content before sending, so every retry is the same message."""
        with self.transaction() as db:
            db.execute("INSERT INTO digests VALUES (?, ?, ?, ?)",
                       (digest["id"], channel, now_iso(), json.dumps(digest, ensure_ascii=False)))
            db.executemany("UPDATE deliveries SET digest_id = ? WHERE alert_id = ? AND channel = ?",
                           [(digest["id"], alert_id, channel) for alert_id in alert_ids])

    def digest(self, digest_id: str) -> dict[str, Any]:
        row = self._db().execute("SELECT body FROM digests WHERE id = ?", (digest_id,)).fetchone()
        digest: dict[str, Any] = json.loads(row[0])
        return digest

    def delivery_counts(self) -> dict[str, int]:
        rows = self._db().execute("SELECT status, count(*) FROM deliveries GROUP BY status")
        return {status: count for status, count in rows}

    def recent_alerts(self, limit: int) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
        """The newest alerts with their delivery rows, for ``monitor alerts``.

        Every column of a delivery, so that a database from before ``requeued_at``
        reads too (a read-only open cannot add the column).
        """
        alerts = self._db().execute("SELECT id, body FROM alerts ORDER BY id DESC LIMIT ?",
                                    (limit,)).fetchall()
        return [(json.loads(body), [dict(row) for row in self._db().execute(
            "SELECT * FROM deliveries WHERE alert_id = ? ORDER BY channel", (alert_id,))])
                for alert_id, body in alerts]

    def dead_letters(self) -> list[tuple[str, str]]:
        """Every dead delivery as (alert id, channel), oldest alert first."""
        rows = self._db().execute("SELECT alert_id, channel FROM deliveries "
                                  "WHERE status = 'dead' ORDER BY alert_id, channel")
        return [(alert_id, channel) for alert_id, channel in rows]

    def requeue(self, letters: list[tuple[str, str]]) -> int:
        """Make these dead deliveries pending again with a fresh give-up clock.

        The clock (``first_failed_at``) starts again at the next failure and the
        backoff is cleared, so the next pass tries them at once; ``requeued_at``
        says when a person asked. Attempts already made stay counted and logged.
        Returns how many were dead and are now pending.
        """
        now = now_iso()
        with self.transaction() as db:
            upgrade_outbox(db)
            done = 0
            for alert_id, channel in letters:
                done += db.execute(
                    "UPDATE deliveries SET status = 'pending', first_failed_at = NULL, "
                    "next_attempt_at = NULL, requeued_at = ? "
                    "WHERE alert_id = ? AND channel = ? AND status = 'dead'",
                    (now, alert_id, channel)).rowcount
        return done


#: outbox columns newer than some state databases: added where missing, no manual step
OUTBOX_COLUMNS = {"deliveries": ("requeued_at TEXT",)}


def upgrade_outbox(db: sqlite3.Connection) -> None:
    """Add the outbox columns an older monitor's database lacks (inside a transaction)."""
    for table, columns in OUTBOX_COLUMNS.items():
        have = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
        for column in columns:
            if column.split()[0] not in have:
                db.execute(f"ALTER TABLE {table} ADD COLUMN {column}")
