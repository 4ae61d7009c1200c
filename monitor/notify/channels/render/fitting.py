"""Fitting rendered passages into a service's size limit, saying what was left out.

Every service refuses (or silently cuts) a message past its limit, and a cut
in the middle of a passage can break its markup; so whole passages are kept
while they fit and the rest is summed up as "…and N more changes".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from monitor.notify.channels.render.text import units

#: what says how many changes a message had no room for
Note = Callable[[int], str]


@dataclass(frozen=True)
class Fitted:
    """The rendered pieces that fit, and how many changes were left out."""

    pieces: list[str]
    left_out: int

    def joined(self, sep: str) -> str:
        return sep.join(self.pieces)


def fit(pieces: Sequence[tuple[str, int]], budget: int, *, note: Note,
        sep: str = "\n\n", max_pieces: int | None = None,
        measure: Callable[[str], int] = units) -> Fitted:
    """Keep whole pieces, in order, while they and the "…and N more" note fit.

    ``pieces`` are (rendered text, changes in it); ``note(n)`` renders the note
    that replaces what is left out; room for it is kept unless every piece fits.
    """
    total = sum(n for _, n in pieces)
    if (max_pieces is None or len(pieces) <= max_pieces) and \
            measure(sep.join(text for text, _ in pieces)) <= budget:
        return Fitted([text for text, _ in pieces], 0)
    reserve = measure(sep + note(total))
    kept: list[str] = []
    shown = 0
    for index, (text, count) in enumerate(pieces):
        if max_pieces is not None and len(kept) >= max_pieces:
            break
        size = measure(sep.join([*kept, text]))
        last = index == len(pieces) - 1
        if size + (0 if last else reserve) > budget:
            break
        kept.append(text)
        shown += count
    return Fitted(kept, total - shown)
