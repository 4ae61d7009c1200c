"""The daemon's log: one line per check, as text for people or JSON for collectors."""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime

from monitor.pipeline.reports import CheckReport

log = logging.getLogger("monitor")


def log_check(check: CheckReport, done: int, total: int) -> None:
    """One line per check: source, outcome, alerts, timing."""
    log.info("%s %s%s%s (%.2fs)", check.source_id, check.outcome,
             f" alert: {', '.join(check.events)}" if check.events else "",
             f"  {check.detail}" if check.detail else "", check.elapsed,
             extra={"source": check.source_id, "outcome": check.outcome,
                    "events": check.events, "elapsed": round(check.elapsed, 3)})


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log collectors."""

    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created, UTC)
        entry = {"time": moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",  # RFC 3339 UTC
                 "level": record.levelname.lower(), "message": record.getMessage()}
        for key in ("source", "outcome", "events", "elapsed"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        return json.dumps(entry, ensure_ascii=False)


def setup_logging(fmt: str, level: str) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if fmt == "json" else text_formatter())
    log.handlers[:] = [handler]
    log.setLevel(level.upper())
    log.propagate = False


def text_formatter() -> logging.Formatter:
    """``2026-11-25T10:00:00Z INFO …``: RFC 3339 in UTC, whatever the machine's zone."""
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(message)s",
                                  "%Y-%m-%dT%H:%M:%SZ")
    formatter.converter = time.gmtime
    return formatter
