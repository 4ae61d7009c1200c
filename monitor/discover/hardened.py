"""Reading XML we did not write: no entities, no network, bounded size.

A listing is a stranger's file. An XML body can declare entities that expand a
kilobyte into gigabytes (the "billion laughs"), name external files or URLs
for the parser to load, or arrive gzipped at a ratio of a thousand to one.
Each of those is refused here with an error in words, before any parser sees
the body, so the work a listing costs is bounded by its size on the wire.
"""

from __future__ import annotations

import re
import zlib

from lxml import etree

from monitor.discover import ListingError

MAX_INFLATED = 50 * 1024 * 1024  # bytes: the sitemap protocol's own limit, uncompressed
GZIP_MAGIC = b"\x1f\x8b"
CHUNK = 256 * 1024
# A DOCTYPE that declares entities or points at an external DTD: no listing needs one.
DECLARES = re.compile(rb"<!DOCTYPE[^>\[]*(?:\[[^\]]*<!ENTITY|SYSTEM|PUBLIC)", re.IGNORECASE)
PROLOGUE = 4096  # bytes looked at for a DOCTYPE: it comes before the first element


def xml_parser() -> etree.XMLParser:
    """lxml's parser with every door closed: no entities, DTDs, network or huge trees."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           dtd_validation=False, huge_tree=False, remove_comments=True,
                           remove_pis=True, collect_ids=False)


def refuse_entities(body: bytes, what: str) -> None:
    """Raise ListingError when the body's DOCTYPE declares entities or an external DTD."""
    head = body[:PROLOGUE]
    if b"<!" in head and DECLARES.search(head):
        raise ListingError(f"this {what} declares XML entities or an external DTD, which "
                           "no real one needs (it could expand without bound): not read. "
                           "Check that the URL points at the site's real " + what)


def inflate(body: bytes, limit: int = MAX_INFLATED) -> bytes:
    """The body, un-gzipped when it starts with gzip's magic; at most ``limit`` bytes.

    Inflation stops as soon as the output would pass the limit, so a gzip bomb
    costs ``limit`` bytes of memory at most, never what it claims to hold.
    """
    if not body.startswith(GZIP_MAGIC):
        if len(body) > limit:
            raise ListingError(_too_large(limit))
        return body
    inflater = zlib.decompressobj(wbits=31)
    out = bytearray()
    data = body
    try:
        while not inflater.eof:
            chunk = inflater.decompress(data, CHUNK)
            out += chunk
            if len(out) > limit:
                raise ListingError(_too_large(limit))
            data = inflater.unconsumed_tail
            if not chunk and not data:
                break
    except zlib.error as error:
        raise ListingError(_damaged(str(error))) from error
    if not inflater.eof:
        raise ListingError(_damaged("it ends early"))
    return bytes(out)


def _damaged(why: str) -> str:
    return f"the gzip body is damaged ({why}): check that the URL serves a complete .gz file"


def _too_large(limit: int) -> str:
    return (f"the listing inflates past {limit // (1024 * 1024)} MiB, the most a sitemap may "
            "hold: point the source at a smaller sitemap (a sitemap index's child)")


def parse_xml(body: bytes, what: str) -> etree._Element:
    """The root element of an XML body, or ListingError saying what the body is instead."""
    refuse_entities(body, what)
    start = body.lstrip(b"\xef\xbb\xbf \t\r\n")[:200].lower()
    if not start.startswith(b"<"):
        raise ListingError(f"the body is not XML, so not a {what}: check the URL")
    if start.startswith((b"<!doctype html", b"<html")):
        raise ListingError(f"the body is an HTML page, not a {what}: check the URL, or use "
                           "discover: links for a section page")
    try:
        root = etree.fromstring(body, parser=xml_parser())
    except etree.XMLSyntaxError as error:
        raise ListingError(f"the {what} is not well-formed XML ({error}): check the URL "
                           "serves the file itself") from error
    if root is None:
        raise ListingError(f"the {what} is empty")
    return root
