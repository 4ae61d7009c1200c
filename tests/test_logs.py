"""The daemon's log lines: readable text, or one JSON object per line."""

from __future__ import annotations

import json
import logging
import re

import pytest

from monitor.daemon.logs import JsonFormatter, log, log_check, setup_logging
from monitor.pipeline.reports import CheckReport


def test_a_check_is_one_line_with_its_fields_for_collectors(
        caplog: pytest.LogCaptureFixture) -> None:
    setup_logging("text", "info")
    log.propagate = True  # let pytest's capture see what the handler would print
    try:
        with caplog.at_level(logging.INFO, logger="monitor"):
            log_check(CheckReport(source_id="letter", outcome="changed", events=["changed"],
                                  detail="2 words", elapsed=0.25), 1, 1)
    finally:
        log.propagate = False
    [record] = caplog.records
    assert record.getMessage() == "letter changed alert: changed  2 words (0.25s)"
    entry = json.loads(JsonFormatter().format(record))
    assert entry["level"] == "info" and entry["message"] == record.getMessage()
    assert (entry["source"], entry["outcome"], entry["events"], entry["elapsed"]) == (
        "letter", "changed", ["changed"], 0.25)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", entry["time"])
    text = log.handlers[0].format(record)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ INFO letter changed .*", text)


def test_setup_picks_the_format_and_level() -> None:
    setup_logging("json", "warning")
    [handler] = log.handlers
    assert isinstance(handler.formatter, JsonFormatter)
    assert log.level == logging.WARNING and not log.propagate
    setup_logging("text", "info")
    assert not isinstance(log.handlers[0].formatter, JsonFormatter)
