"""Reading a stranger's XML: entity bombs, gzip bombs and non-XML refused in words."""

from __future__ import annotations

import gzip
import zlib

import pytest
from lxml import etree

from monitor.discover import ListingError
from monitor.discover.hardened import MAX_INFLATED, inflate, parse_xml, xml_parser

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE urlset [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>https://example.org/&lol9;</loc></url>
</urlset>
"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE urlset SYSTEM "http://127.0.0.1:9/evil.dtd">
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>x</loc></url></urlset>
"""


def gzip_bomb(inflated: int) -> bytes:
    """``inflated`` zero bytes, gzipped: about a thousandth of that on the wire."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1 << 20)
    return b"".join([*(packer.compress(block) for _ in range(inflated >> 20)),
                     packer.flush()])


def test_a_billion_laughs_is_refused_before_any_parser_expands_it() -> None:
    with pytest.raises(ListingError, match="declares XML entities"):
        parse_xml(BILLION_LAUGHS, "sitemap")
    # And the parser itself, if ever handed one, expands nothing: libxml2 either
    # refuses the amplification or leaves the references unexpanded.
    try:
        root = etree.fromstring(BILLION_LAUGHS, parser=xml_parser())
    except etree.XMLSyntaxError as error:
        assert "amplification" in str(error) or "entity" in str(error).lower()
    else:
        assert len(etree.tostring(root)) < 2_000


def test_an_external_dtd_is_refused() -> None:
    with pytest.raises(ListingError, match="external DTD"):
        parse_xml(EXTERNAL, "sitemap")


def test_a_gzip_bomb_stops_at_the_limit_not_at_what_it_claims() -> None:
    bomb = gzip_bomb(5 * MAX_INFLATED)
    assert len(bomb) < MAX_INFLATED // 100
    with pytest.raises(ListingError, match="inflates past 50 MiB"):
        inflate(bomb)
    with pytest.raises(ListingError, match="inflates past 1 MiB"):
        inflate(gzip_bomb(4 << 20), limit=1 << 20)


def test_gzip_inflates_a_real_body_and_plain_bodies_pass_through() -> None:
    body = b"<urlset>" + b"<url><loc>https://example.org/a</loc></url>" * 1000 + b"</urlset>"
    assert inflate(gzip.compress(body)) == body
    assert inflate(body) == body
    with pytest.raises(ListingError, match="inflates past"):
        inflate(body, limit=100)


def test_a_damaged_or_cut_gzip_body_says_so() -> None:
    whole = gzip.compress(b"<urlset></urlset>" * 100)
    with pytest.raises(ListingError, match=r"damaged.*ends early"):
        inflate(whole[: len(whole) // 2])
    with pytest.raises(ListingError, match="damaged"):
        inflate(whole[:10] + b"\xff" * 40)


@pytest.mark.parametrize(("body", "words"), [
    (b"Service temporarily unavailable", "not XML"),
    (b"\xff\xfe\x00garbage", "not XML"),
    (b"<!DOCTYPE html><html><body>Sitemap</body></html>", "HTML page"),
    (b"<urlset><url><loc>https://example.org/</loc></url>", "not well-formed"),
    (b"", "not XML"),
])
def test_what_is_not_xml_is_named(body: bytes, words: str) -> None:
    with pytest.raises(ListingError, match=words):
        parse_xml(body, "sitemap")
