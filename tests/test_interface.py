"""Fetcher and FetchPool both are PageFetchers: the pipeline may hold either."""

from __future__ import annotations

import inspect

import pytest

from monitor.fetch.client import Fetcher
from monitor.fetch.interface import PageFetcher
from monitor.fetch.pool import FetchPool


@pytest.mark.parametrize("implementation", [Fetcher, FetchPool], ids=lambda c: c.__name__)
def test_each_fetcher_offers_the_interface_with_the_same_signatures(
        implementation: type) -> None:
    for name in ("fetch", "aclose", "__aenter__", "__aexit__"):
        ours = inspect.signature(getattr(implementation, name))
        declared = inspect.signature(getattr(PageFetcher, name))
        assert list(ours.parameters)[:1] == ["self"]
        assert inspect.iscoroutinefunction(getattr(implementation, name)), name
        if name == "fetch":
            assert ours.parameters.keys() == declared.parameters.keys()
            assert all(p.kind is inspect.Parameter.KEYWORD_ONLY
                       for key, p in ours.parameters.items() if key not in ("self", "url"))
