"""Which addresses count as public when block_private is on."""

from __future__ import annotations

import ipaddress

import pytest

from monitor.fetch.transport import is_public


@pytest.mark.parametrize("address, public", [
    ("93.184.216.34", True), ("2606:2800:220:1:248:1893:25c8:1946", True),
    ("127.0.0.1", False), ("10.1.2.3", False), ("169.254.169.254", False), ("::1", False),
    ("::ffff:127.0.0.1", False), ("::127.0.0.1", False), ("64:ff9b::7f00:1", False),
    ("64:ff9b::a01:203", False), ("2002:7f00:1::", False), ("2002:a01:203::", False),
    ("fe80::1", False), ("fc00::1", False),
])
def test_addresses_that_embed_a_private_ipv4_one_are_private(address: str,
                                                            public: bool) -> None:
    assert is_public("example.org", ipaddress.ip_address(address)) is public
