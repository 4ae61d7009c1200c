"""Discovery's URL normalisation: one article, one URL, however a site links it."""

from __future__ import annotations

from monitor.discover.urls import canonical_url, same_site, site

ARTICLE = "https://www.mfa.example.gov/en/press/2026/11/25/statement.html"


def test_trackers_fragments_case_and_default_ports_never_make_a_new_article() -> None:
    variants = [
        ARTICLE,
        ARTICLE + "?utm_source=twitter&utm_medium=social&utm_campaign=x",
        ARTICLE + "?fbclid=IwAR3xyz",
        ARTICLE + "?gclid=abc&mc_cid=1",
        ARTICLE + "#comments",
        "HTTPS://WWW.MFA.EXAMPLE.GOV:443/en/press/2026/11/25/statement.html",
        "  " + ARTICLE + "\n",
    ]
    assert {canonical_url(v) for v in variants} == {ARTICLE}


def test_a_query_that_names_the_article_is_kept_in_one_order() -> None:
    a = canonical_url("https://example.org/article.php?id=5&lang=en&utm_source=rss")
    b = canonical_url("https://example.org/article.php?lang=en&id=5")
    assert a == b == "https://example.org/article.php?id=5&lang=en"
    assert canonical_url("https://example.org/article.php?id=6") != a


def test_relative_links_resolve_against_the_page_and_the_path_keeps_its_case() -> None:
    page = "https://www.mfa.example.gov/en/press/"
    assert canonical_url("2026/11/Statement.html", page) == \
        "https://www.mfa.example.gov/en/press/2026/11/Statement.html"
    assert canonical_url("/en/a/", page) == "https://www.mfa.example.gov/en/a/"
    assert canonical_url("//cdn.example.gov/x", page) == "https://cdn.example.gov/x"
    assert canonical_url("https://example.org") == "https://example.org/"


def test_what_is_no_web_page_address_is_none() -> None:
    page = "https://example.org/news/"
    for link in ["mailto:press@example.org", "javascript:void(0)", "tel:+441234", "",
                 "ftp://example.org/file", "https://example.org:99999/x",
                 "https://example.org/a\nb", "https://" + "x" * 3000 + ".org/", "http:///x"]:
        assert canonical_url(link, page) is None, link


def test_the_site_is_the_registrable_domain_or_the_bare_host() -> None:
    assert site("https://news.bbc.co.uk/x") == site("https://www.bbc.co.uk/y") == "bbc.co.uk"
    assert site("http://127.0.0.1:8123/x") == "127.0.0.1"
    assert site("http://localhost:8000/x") == "localhost"
    assert same_site("https://press.mfa.example.gov/a", "https://www.mfa.example.gov/b")
    assert not same_site("https://www.bbc.co.uk/a", "https://www.bbc.com/a")
    assert not same_site("https://evil.example/a", "https://example.org/")
    assert not same_site("not a url", "also not")
