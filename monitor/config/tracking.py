"""When two URLs name one page: tracking parameters and fragments do not count.

A link copied from a newsletter or a social post carries ``utm_*``, ``fbclid``
and the like; adding it again must say the page is already watched, not start
a second history of the same article.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

#: query parameters that name the campaign or the click, never the page
TRACKING_PARAMETERS = frozenset({
    "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid",
    "twclid", "ttclid", "li_fat_id", "igshid", "mc_cid", "mc_eid", "_ga", "_gl",
    "_hsenc", "_hsmi", "mkt_tok", "oly_anon_id", "oly_enc_id", "vero_id", "wickedid",
    "ref_src", "ref_url", "cmpid", "ocid", "smid", "sr_share", "at_medium", "at_campaign",
})
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_")


def is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMETERS or lowered.startswith(TRACKING_PREFIXES)


def page_key(url: str) -> str:
    """The URL without what only tracks the reader: the same key means the same page.

    The host is compared without case and a default port; the path and the
    remaining parameters (in their order) are kept as they are, since a site
    may tell pages apart by either.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return url.strip()
    host = (parts.hostname or "").lower()
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    netloc = host if port in (None, default) else f"{host}:{port}"
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not is_tracking(k)]
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/",
                       urlencode(kept, doseq=True), ""))
