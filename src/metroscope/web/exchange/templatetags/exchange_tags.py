"""Template filters and tags of the exchange pages.

Case texts carry citation markers ``[n]`` that point at the case's n-th source; the filters
here turn them into links to ``#source-n`` on the case page. Section texts are Markdown,
rendered with markdown-it (raw HTML disabled, so the output is safe to mark safe).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pycountry
from django import template
from django.http import QueryDict
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

register = template.Library()

_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_MARKERS = re.compile(r"\[(\d{1,3}(?:\s*[,–-]\s*\d{1,3})*)\]")
_NUMBER = re.compile(r"\d{1,3}")
_INK = "#1b2430"

# Short English names where ISO 3166's official name reads awkwardly on a page.
_COUNTRY_NAMES: dict[str, str] = {
    "BO": "Bolivia",
    "KR": "South Korea",
    "PS": "Palestine",
    "TW": "Taiwan",
    "VE": "Venezuela",
    "IR": "Iran",
    "RU": "Russia",
    "TZ": "Tanzania",
}


def _cite_links(html: str, sources_count: int) -> str:
    """Replace each marker ``[n]`` or ``[n, m]`` in (escaped) HTML by superscript links.

    Numbers outside ``1..sources_count`` are left as plain text.
    """

    def link(match: re.Match[str]) -> str:
        numbers = [int(n) for n in _NUMBER.findall(match.group(1))]
        if not numbers or any(n < 1 or n > sources_count for n in numbers):
            return match.group(0)
        anchors = ", ".join(
            f'<a href="#source-{n}" aria-label="Source {n}">{n}</a>' for n in numbers
        )
        return f'<sup class="cite">[{anchors}]</sup>'

    return _MARKERS.sub(link, html)


@register.filter
def cited_markdown(text: str | None, sources_count: int = 0) -> SafeString:
    """Render Markdown ``text`` to HTML with citation markers linked to the sources list.

    Parameters
    ----------
    text
        Markdown paragraphs; raw HTML in it is shown escaped, never interpreted.
    sources_count
        Number of sources of the case [count]; markers beyond it stay plain text.
    """
    if not text:
        return mark_safe("")
    return mark_safe(_cite_links(_MARKDOWN.render(text), int(sources_count or 0)))


@register.filter
def cited_text(text: str | None, sources_count: int = 0) -> SafeString:
    """Escape plain ``text`` and link its citation markers (for the one-paragraph summary)."""
    if not text:
        return mark_safe("")
    return mark_safe(_cite_links(str(escape(text)), int(sources_count or 0)))


@register.filter
def strip_citations(text: str | None) -> str:
    """Remove citation markers, for texts shown away from their sources (cards, popups)."""
    if not text:
        return ""
    return re.sub(r"\s*" + _MARKERS.pattern, "", text).strip()


def _relative_luminance(hex_colour: str) -> float:
    """WCAG 2 relative luminance of ``#rrggbb`` [0..1]."""
    value = hex_colour.lstrip("#")
    channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: float, b: float) -> float:
    light, dark = max(a, b), min(a, b)
    return (light + 0.05) / (dark + 0.05)


@register.filter
def text_colour_on(background: str) -> str:
    """White or ink, whichever contrasts more with ``background`` (``#rrggbb``)."""
    try:
        bg = _relative_luminance(background)
    except (ValueError, IndexError):
        return _INK
    white = _contrast(1.0, bg)
    ink = _contrast(_relative_luminance(_INK), bg)
    return "#ffffff" if white >= ink else _INK


@register.filter
def country_name(code: str | None) -> str:
    """English short name of an ISO 3166-1 alpha-2 ``code``; the code itself if unknown."""
    if not code:
        return ""
    code = code.upper()
    if code in _COUNTRY_NAMES:
        return _COUNTRY_NAMES[code]
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    return str(getattr(country, "common_name", None) or country.name)


@register.filter
def num(value: float | int | None) -> str:
    """Format a measured value for reading: thousands separators, no trailing zeros."""
    if value is None:
        return ""
    number = float(value)
    if number.is_integer():
        return f"{int(number):,}"
    if abs(number) >= 1000:
        return f"{number:,.2f}".rstrip("0").rstrip(".")
    if abs(number) >= 1:
        return f"{number:,.3f}".rstrip("0").rstrip(".")
    return f"{number:.3g}"


@register.filter
def money(amount: float | None, currency: str = "") -> str:
    """``17078.05, "EUR"`` → ``"17,078.05 EUR"``; whole amounts without decimals."""
    if amount is None:
        return ""
    text = f"{amount:,.0f}" if float(amount).is_integer() else f"{amount:,.2f}"
    return f"{text} {currency}".strip()


@register.simple_tag
def sdg_badge(goal: Any, with_name: bool = False) -> SafeString:
    """A link to the SDG's page, in the goal's official colour with a readable text colour."""
    colour = getattr(goal, "colour", "") or "#555555"
    name = format_html(' <span class="sdg-name">{}</span>', goal.short_title) if with_name else ""
    return format_html(
        '<a class="sdg-badge" href="/sdgs/{}/" style="background:{};color:{}" title="SDG {}: {}">SDG {}{}</a>',
        goal.number,
        colour,
        text_colour_on(colour),
        goal.number,
        goal.short_title,
        goal.number,
        name,
    )


@register.simple_tag
def url_with(params: QueryDict | Mapping[str, Any], **changes: Any) -> str:
    """The query string ``params`` with ``changes`` applied (``None`` removes a key).

    Used for pagination and sort links so every other filter is kept.
    """
    query = params.copy() if isinstance(params, QueryDict) else QueryDict(mutable=True)
    if not isinstance(params, QueryDict):
        for key, value in params.items():
            query[key] = value
    for key, value in changes.items():
        if value is None or value == "":
            query.pop(key, None)
        else:
            query[key] = str(value)
    encoded = query.urlencode()
    return "?" + encoded if encoded else "?"
