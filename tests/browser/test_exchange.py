"""The exchange in a real browser: search, refine by facet, open a case, map, compare."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from web.exchange.factories import make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MOLINS = "amb-molins-de-rei-v2g-fotolinera"


@pytest.fixture
def world():
    return make_world()


def test_search_from_home_finds_the_molins_de_rei_station_first(page, world):
    page.goto("/")
    page.get_by_label("Search case studies").fill("solar charging sports centre")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/cases/\?q=solar\+charging\+sports\+centre"))
    first = page.locator(".case-list .case-card h3 a").first
    expect(first).to_contain_text("Molins de Rei")
    expect(page.locator(".case-card mark").first).to_be_visible()


def test_ticking_a_facet_updates_results_and_counts_without_reloading(page, world):
    page.goto("/cases/")
    expect(page.locator("#results-count")).to_contain_text("5 case studies")
    page.evaluate("window.__sameDocument = true")
    spain = page.locator("#facet-country label", has_text="Spain")
    expect(spain.locator(".count")).to_have_text("3")

    page.get_by_label(re.compile(r"^Mobility")).check()

    expect(page.locator("#results-count")).to_contain_text("3 case studies")
    expect(page).to_have_url(re.compile(r"/cases/\?.*topic=mobility"))
    expect(spain.locator(".count")).to_have_text("2")  # counts follow the filtered set
    assert page.evaluate("window.__sameDocument === true"), "the page was reloaded"
    expect(page.get_by_label(re.compile(r"^Mobility"))).to_be_checked()

    # the address is shareable: opening it anew shows the same refined results
    page.goto(page.url)
    expect(page.locator("#results-count")).to_contain_text("3 case studies")

    # removing the filter chip brings every case back
    page.get_by_role("link", name="Remove filter Topic: Mobility").click()
    expect(page.locator("#results-count")).to_contain_text("5 case studies")


def test_opening_a_case_shows_sections_and_citations_link_to_sources(page, world):
    page.goto("/cases/?q=molins")
    page.locator(".case-card h3 a").first.click()
    page.wait_for_url(f"**/cases/{MOLINS}/")
    expect(page.locator("h1")).to_contain_text("Molins de Rei")
    expect(page.get_by_role("heading", name="Sources")).to_be_visible()
    expect(page.locator("#case-map .leaflet-marker-icon")).to_have_count(1)


def test_the_map_shows_clustered_markers_from_the_geojson_feed(page, world):
    page.goto("/map/")
    full_map = page.locator("#full-map")
    expect(full_map).to_have_attribute("data-marker-count", "5")
    # markers or clusters are drawn (clusters carry the number of cases they hold)
    drawn = page.locator("#full-map .leaflet-interactive, #full-map .ms-cluster")
    expect(drawn.first).to_be_visible()


def test_metro_map_shows_its_cases(page, world):
    page.goto("/metros/amb/")
    expect(page.locator("#metro-map")).to_have_attribute("data-marker-count", "3")


def test_compare_two_cases_side_by_side(page, world):
    page.goto(f"/cases/{MOLINS}/")
    page.get_by_role("link", name="Add to compare").click()
    page.wait_for_url(re.compile(r"/compare/\?cases="))
    expect(page.get_by_text("Pick one more case")).to_be_visible()
    page.get_by_label("Add a case").select_option("barcelona-superblocks")
    page.get_by_role("button", name="Add to comparison").click()
    page.wait_for_url(re.compile(rf"/compare/\?cases={MOLINS},barcelona-superblocks$"))
    table = page.locator("#compare-table")
    expect(table.locator("thead th")).to_have_count(2)
    expect(table).to_contain_text("Superblocks")
    expect(table.get_by_role("row", name=re.compile("^Test"))).to_be_visible()  # shared metric


def test_the_skip_link_is_the_first_stop_for_keyboard_users(page, world):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()


@pytest.mark.parametrize("path", ["/", "/cases/?q=solar", f"/cases/{MOLINS}/", "/sdgs/"])
def test_pages_fit_a_390px_phone_without_sideways_scrolling(mobile_page, world, path):
    mobile_page.goto(path)
    mobile_page.wait_for_load_state("networkidle")
    overflow = mobile_page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{path} is {overflow}px wider than the phone"
