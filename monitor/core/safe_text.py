"""Text from pages and servers made safe to keep and to print.

A server controls its headers and its error pages, and a page its title: a
Content-Type holding ESC or CSI sequences would erase rows of `monitor list`
in a terminal, and a right-to-left override would show a URL backwards. What
is kept in state and alerts loses its control characters; what is printed to
a terminal also has bidi controls shown as escapes. Article text is never
altered here: it keeps its bidi marks and joiners, and captures keep bytes.
"""

from __future__ import annotations

import re

CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # C0 but tab and newline, DEL, C1
BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def strip_controls(text: str) -> str:
    return CONTROLS.sub("", text)


def for_terminal(text: str) -> str:
    """Control characters removed, bidi controls shown as ``\\u202e`` and the like."""
    return BIDI.sub(lambda m: f"\\u{ord(m.group()):04x}", strip_controls(text))
