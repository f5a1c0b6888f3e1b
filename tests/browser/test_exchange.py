"""The exchange in a real browser on the shipped demo content: search, refine by facet, open
a case, maps with markers, compare two cases, keyboard and phone layout."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from metroscope.web.exchange.models import CaseStudy, ReviewStatus

pytestmark = pytest.mark.browser

MOLINS = "amb-molins-de-rei-v2g-fotolinera"
SUPERBLOCKS = "barcelona-superblocks-superilles"


def published() -> int:
    return CaseStudy.objects.filter(status_review=ReviewStatus.PUBLISHED).count()


def count_of(locator) -> int:
    return int((locator.text_content() or "").strip().replace(",", ""))


def test_search_from_home_finds_the_molins_de_rei_station_first(page, demo):
    page.goto("/")
    page.get_by_label("Search case studies").fill("solar charging sports centre")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/cases/\?q=solar\+charging\+sports\+centre"))
    first = page.locator(".case-list .case-card h3 a").first
    expect(first).to_contain_text("Molins de Rei")
    expect(page.locator(".case-card mark").first).to_be_visible()


def test_ticking_a_facet_updates_results_and_counts_without_reloading(page, demo):
    total = published()
    page.goto("/cases/")
    expect(page.locator("#results-count")).to_contain_text(f"{total} case studies")
    countries = page.locator("#facet-country .count")
    assert sum(count_of(c) for c in countries.all()) == total
    mobility = page.locator("#facet-topic li", has_text="Mobility")
    expected = count_of(mobility.locator(".count"))
    assert 0 < expected < total
    page.evaluate("window.__sameDocument = true")

    mobility.locator("input").check()

    expect(page.locator("#results-count")).to_contain_text(f"{expected} case stud")
    expect(page).to_have_url(re.compile(r"/cases/\?.*topic=mobility"))
    assert page.evaluate("window.__sameDocument === true"), "the page was fully reloaded"
    # every facet now counts within the filtered set: one country per case
    assert sum(count_of(c) for c in page.locator("#facet-country .count").all()) == expected
    expect(page.locator("#facet-topic li", has_text="Mobility").locator("input")).to_be_checked()

    # the address is shareable: opening it anew shows the same refined results
    page.goto(page.url)
    expect(page.locator("#results-count")).to_contain_text(f"{expected} case stud")

    # removing the filter chip brings every case back
    page.get_by_role("link", name="Remove filter Topic: Mobility").click()
    expect(page.locator("#results-count")).to_contain_text(f"{total} case studies")

    # the back button returns to the refined results, with a working map
    page.go_back()
    expect(page).to_have_url(re.compile(r"topic=mobility"))
    expect(page.locator("#results-count")).to_contain_text(f"{expected} case stud")
    expect(page.locator("#results-map")).to_have_attribute("data-marker-count", str(expected))
    page.wait_for_function("!!document.getElementById('results-map')._msMap")  # a live map


def test_opening_a_case_shows_sections_sources_and_working_citations(page, demo):
    page.goto("/cases/?q=molins+de+rei+fotolinera")
    page.locator(".case-card h3 a").first.click()
    page.wait_for_url(f"**/cases/{MOLINS}/")
    expect(page.locator("h1")).to_contain_text("Molins de Rei")
    for heading in ["The challenge", "What was done", "Results", "Measured outcomes", "Sources"]:
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    page.locator("sup.cite a").first.click()
    expect(page).to_have_url(re.compile(r"#source-\d+$"))
    expect(page.locator("#case-map .leaflet-marker-icon")).to_have_count(1)
    expect(page.locator("#similar li").first).to_be_visible()


def test_maps_show_clustered_markers_from_the_geojson_feed(page, demo):
    total = published()
    page.goto("/map/")
    expect(page.locator("#full-map")).to_have_attribute("data-marker-count", str(total))
    drawn = page.locator("#full-map .leaflet-interactive, #full-map .ms-cluster")
    expect(drawn.first).to_be_visible()
    # tiles are refused in these tests: the map falls back to the vendored outlines
    expect(page.locator("#full-map .map-offline")).to_have_text("Offline: country outlines only")

    page.goto("/")
    expect(page.locator("#home-map")).to_have_attribute("data-marker-count", str(total))

    page.goto("/cases/?topic=energy")
    count = page.locator("#results-count strong").inner_text()
    expect(page.locator("#results-map")).to_have_attribute("data-marker-count", count)


def test_search_this_area_keeps_the_cases_inside_the_map_view(page, demo):
    total = published()
    in_europe = CaseStudy.objects.filter(
        status_review=ReviewStatus.PUBLISHED, city__lat__range=(35, 60), city__lon__range=(-10, 30)
    ).count()
    page.goto("/cases/")
    page.wait_for_function("!!document.getElementById('results-map')._msMap")
    page.evaluate(
        "void document.getElementById('results-map')._msMap.map"
        ".fitBounds([[35, -10], [60, 30]], {animate: false})"
    )
    page.get_by_role("button", name="Search this area").click()
    expect(page).to_have_url(re.compile(r"bbox="))
    shown = count_of(page.locator("#results-count strong"))
    assert 0 < shown < total
    assert shown >= in_europe  # the view is at least the requested box
    expect(page.get_by_role("link", name="Remove filter Map area")).to_be_visible()
    page.get_by_role("link", name="Remove filter Map area").click()
    expect(page.locator("#results-count")).to_contain_text(f"{total} case studies")


def test_compare_two_cases_side_by_side(page, demo):
    page.goto(f"/cases/{MOLINS}/")
    page.get_by_role("link", name="Add to compare").click()
    page.wait_for_url(re.compile(r"/compare/\?cases="))
    expect(page.get_by_text("Pick one more case")).to_be_visible()
    page.get_by_label("Add a case").select_option(SUPERBLOCKS)
    page.get_by_role("button", name="Add to comparison").click()
    page.wait_for_url(re.compile(rf"/compare/\?cases={MOLINS},{SUPERBLOCKS}$"))
    table = page.locator("#compare-table")
    expect(table.locator("thead th")).to_have_count(2)
    expect(table).to_contain_text("Superblocks")
    expect(table).to_contain_text("17,078.05 EUR")
    expect(table.get_by_role("row", name=re.compile("^Sources"))).to_be_visible()


def test_keyboard_skip_link_and_phone_layout(page, mobile_page, demo):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()

    for path in ["/", "/cases/?q=solar", f"/cases/{MOLINS}/", "/sdgs/", "/metros/amb/",
                 f"/compare/?cases={MOLINS},{SUPERBLOCKS}"]:  # fmt: skip
        mobile_page.goto(path)
        mobile_page.wait_for_load_state("networkidle")
        overflow = mobile_page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} is {overflow}px wider than a 390px phone"
