"""Template filters: citations, Markdown safety, SDG badge contrast, numbers, countries."""

from __future__ import annotations

import re

from django.http import QueryDict

from metroscope.web.exchange.templatetags import exchange_tags as tags


def test_markers_become_links_only_within_the_sources():
    html = tags.cited_text("Cost EUR 17,078 [2]; more [1, 3]; bad [7].", 3)
    assert '<sup class="cite">[<a href="#source-2" aria-label="Source 2">2</a>]</sup>' in html
    assert 'href="#source-1"' in html and 'href="#source-3"' in html
    assert "bad [7]." in html


def test_plain_text_is_escaped():
    assert "&lt;b&gt;" in tags.cited_text("<b>bold</b> [1]", 1)


def test_markdown_paragraphs_and_no_raw_html():
    html = tags.cited_markdown("One [1].\n\nTwo <img src=x onerror=alert(1)>.", 1)
    assert html.count("<p>") == 2
    assert "<img" not in html


def test_strip_citations():
    assert tags.strip_citations("Solar [1][2] charging [3, 4].") == "Solar charging."


def _contrast(fg: str, bg: str) -> float:
    a, b = tags._relative_luminance(fg), tags._relative_luminance(bg)
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


def test_sdg_badge_text_is_readable_on_every_official_colour():
    official = [
        "#E5243B", "#DDA63A", "#4C9F38", "#C5192D", "#FF3A21", "#26BDE2", "#FCC30B", "#A21942",
        "#FD6925", "#DD1367", "#FD9D24", "#BF8B2E", "#3F7E44", "#0A97D9", "#56C02B", "#00689D",
        "#19486A",
    ]  # fmt: skip
    for colour in official:
        text = tags.text_colour_on(colour)
        assert _contrast(text, colour) >= 3.0, colour  # WCAG AA for bold/large text
    assert tags.text_colour_on("#FCC30B") != "#ffffff"
    assert tags.text_colour_on("#19486A") == "#ffffff"


def test_numbers_read_naturally():
    assert tags.num(4000) == "4,000"
    assert tags.num(4000.0) == "4,000"
    assert tags.num(12.5) == "12.5"
    assert tags.num(0.004567) == "0.00457"
    assert tags.num(17078.05) == "17,078.05"
    assert tags.money(17078.05, "EUR") == "17,078.05 EUR"
    assert tags.money(2_000_000, "USD") == "2,000,000 USD"


def test_country_names():
    assert tags.country_name("ES") == "Spain"
    assert tags.country_name("KR") == "South Korea"
    assert tags.country_name("BO") == "Bolivia"
    assert tags.country_name("XX") == "XX"


def test_url_with_keeps_other_parameters():
    params = QueryDict("q=solar&topic=energy&topic=mobility&page=3")
    url = tags.url_with(params, page=4)
    assert re.search(r"topic=energy&topic=mobility", url) and "page=4" in url
    assert "page" not in tags.url_with(params, page=None)
