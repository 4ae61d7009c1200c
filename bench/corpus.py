"""The shared corpus: 181 real article pages with their true article bodies.

Read in place from ``../shared/corpus/`` (beside the project root) or from
``--corpus``/``$MONITOR_CORPUS``; never copied into the repository.
"""

from __future__ import annotations

import gzip
import json
import os
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
# Whole words as alerts must name them: inner punctuation stays (8,000 / 3.5 / e-mail).
WORD = re.compile(r"\w(?:[\w'’.,%/\u066b\u066c-]*\w)?")
SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class CorpusPage:
    id: str
    url: str
    body: str  # the true article body, written by people
    raw: bytes  # the page as saved

    @property
    def short(self) -> str:
        return self.id[:12]


def corpus_path(given: str | None = None) -> Path:
    path = Path(given or os.environ.get("MONITOR_CORPUS") or DEFAULT_CORPUS)
    if not (path / "ground-truth.json").is_file():
        raise SystemExit(f"no corpus at {path} (expected ground-truth.json and html/); "
                         "pass --corpus DIR or set MONITOR_CORPUS")
    return path


def load_corpus(path: Path, limit: int | None = None) -> list[CorpusPage]:
    truth = json.loads((path / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for page_id in sorted(truth)[:limit]:
        raw = gzip.decompress((path / "html" / f"{page_id}.html.gz").read_bytes())
        entry = truth[page_id]
        pages.append(CorpusPage(page_id, entry["url"], entry["articleBody"], raw))
    return pages


def normalise(text: str | None) -> str:
    return SPACES.sub(" ", text or "").strip()


def words(text: str) -> list[str]:
    return WORD.findall(text)


def token_scores(extracted: str, truth: str) -> tuple[float, float]:
    """Bag-of-words precision and recall of extracted text against the true body."""
    got, want = Counter(w.lower() for w in words(extracted)), Counter(
        w.lower() for w in words(truth))
    common = sum((got & want).values())
    precision = common / sum(got.values()) if got else 0.0
    recall = common / sum(want.values()) if want else 0.0
    return precision, recall
