"""monitor/evidence/keeper.py: the captures of a batch and its checkpoint, as the writer asks."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from monitor.core.model import Settings
from monitor.evidence import log
from monitor.evidence.keeper import CAPTURE, SKIPPED, EvidenceKeeper, ToCapture, capture_digest
from monitor.fetch.exchange import Hop

HOP = Hop(url="https://example.org/a", request_line=b"GET /a HTTP/1.1", request_headers=(),
          status_line=b"HTTP/1.1 404 Not Found", response_headers=(), body=b"gone")


def settings(tmp_path: Path, **overrides: object) -> Settings:
    base = Settings(snapshots=tmp_path / "snapshots", alerts=tmp_path / "alerts",
                    state=tmp_path / ".monitor" / "state.db", evidence=tmp_path / "evidence",
                    signing_key=tmp_path / "signing.key")
    return replace(base, **overrides)  # type: ignore[arg-type]


def test_each_commit_gains_its_capture_or_the_reason_it_has_none(tmp_path: Path) -> None:
    keeper = EvidenceKeeper(settings(tmp_path), environ={})
    trailers = keeper.capture([ToCapture((HOP,)), ToCapture(())])
    digest = capture_digest(trailers[0])
    assert digest and trailers[0][CAPTURE] == f"sha256:{digest}"
    assert (tmp_path / "evidence" / "captures" / digest[:2] / f"{digest}.warc.gz").exists()
    assert trailers[1] == {SKIPPED: "no HTTP answer"}


def test_captures_off_keeps_nothing_and_says_so(tmp_path: Path) -> None:
    keeper = EvidenceKeeper(settings(tmp_path, captures=False), environ={})
    assert keeper.capture([ToCapture((HOP,))]) == [
        {SKIPPED: "captures off (settings.captures)"}]
    assert not (tmp_path / "evidence" / "captures").exists()


def test_a_checkpoint_is_signed_with_a_key_made_on_first_use(tmp_path: Path) -> None:
    keeper = EvidenceKeeper(settings(tmp_path), environ={})
    made = keeper.checkpoint(head="a" * 40, commits=["a" * 40], captures=["b" * 64])
    assert made is not None and made.number == 1
    assert (tmp_path / "signing.key").stat().st_mode & 0o777 == 0o600
    assert log.verify_log(tmp_path / "evidence" / "log") == []
    second = keeper.checkpoint(head="c" * 40, commits=["c" * 40])
    assert second is not None and second.previous is not None


def test_a_broken_key_costs_the_checkpoint_not_the_commit(tmp_path: Path) -> None:
    keeper = EvidenceKeeper(settings(tmp_path), environ={"MONITOR_SIGNING_KEY": "not-a-key"})
    assert keeper.checkpoint(head="a" * 40, commits=["a" * 40]) is None
    assert len(keeper.problems) == 1
    assert "no checkpoint written" in keeper.problems[0]
    assert "not-a-key" not in keeper.problems[0]
    assert not (tmp_path / "evidence" / "log").exists() or \
        not list((tmp_path / "evidence" / "log").iterdir())
