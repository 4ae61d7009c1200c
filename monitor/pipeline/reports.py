"""What a check and a pass report: to the CLI, the daemon's log and its health file."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from monitor.notify.delivery import (
    DeliveryReport,
)
from monitor.pipeline.recovery import Recovery


@dataclass
class CheckReport:
    source_id: str
    outcome: str  # baseline, unchanged, changed, gone, removed, restored, error, deferred
    events: list[str] = field(default_factory=list)
    detail: str = ""
    elapsed: float = 0.0


@dataclass
class PassReport:
    checks: list[CheckReport] = field(default_factory=list)
    delivery: DeliveryReport = field(default_factory=DeliveryReport)
    recovery: Recovery = field(default_factory=Recovery)
    errors: list[str] = field(default_factory=list)  # problems of the pass as a whole
    # said, but no failure: a web archive or a time-stamping service to be tried again
    warnings: list[str] = field(default_factory=list)

    def counts(self) -> Counter[str]:
        return Counter(check.outcome for check in self.checks)

    @property
    def failed(self) -> bool:
        return (any(c.outcome == "error" for c in self.checks) or self.delivery.failed > 0
                or bool(self.errors))


def summary(report: PassReport) -> str:
    counts = report.counts()
    checked = len(report.checks)
    order = ["baseline", "unchanged", "changed", "moved", "collapsed", "gone", "removed",
             "restored", "rescoped", "rewritten", "deferred"]
    parts = [f"{counts[o]} {o}" for o in order if counts[o]]
    errors = counts["error"]
    parts.append(f"{errors} error{'s' if errors != 1 else ''}")
    line = f"{checked} checked: {', '.join(parts)}"
    delivery = report.delivery
    if delivery.delivered or delivery.failed:
        line += f"; alerts delivered {delivery.delivered}, failed {delivery.failed}"
    if delivery.dead:
        line += f"; {delivery.dead} delivery(ies) given up (see `monitor alerts`)"
    if delivery.held:
        line += f"; {delivery.held} delivery(ies) held (a channel's variable is not set)"
    if report.recovery.describe():
        line += f"; {report.recovery.describe()}"
    return line
