"""The daemon's status as Prometheus text: one renderer for ``health_port`` and the web port."""

from __future__ import annotations

from typing import Any


def prometheus(status: dict[str, Any]) -> str:
    lines = []
    for key in ("uptime_seconds", "sources", "due_within_a_minute", "checks_done",
                "alerts_raised", "check_errors", "passes", "outbox_pending", "dead_letters"):
        kind = "counter" if key in ("checks_done", "alerts_raised", "check_errors",
                                    "passes") else "gauge"
        lines += [f"# TYPE monitor_{key} {kind}", f"monitor_{key} {status[key]}"]
    for outcome, count in sorted(status["outcomes"].items()):
        lines.append(f'monitor_outcomes_total{{outcome="{outcome}"}} {count}')
    return "\n".join(lines) + "\n"
