"""City, metro-area and SDG goal pages, and their 404s."""

from __future__ import annotations

import pytest

from metroscope.web.exchange.models import City

from .factories import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    cases = make_world()
    City.objects.filter(slug="barcelona").update(
        population=1_660_122, population_year=2023, population_source="https://example.org/pop"
    )
    return cases


def test_city_page_lists_its_cases_facts_and_map(client, world):
    response = client.get("/cities/barcelona/")
    assert response.status_code == 200
    slugs = {case.slug for case in response.context["cases"]}
    assert slugs == {"barcelona-superblocks", "barcelona-solar-roofs"}
    html = response.content.decode()
    assert "1,660,122" in html and "(2023)" in html and 'href="https://example.org/pop"' in html
    assert 'href="/metros/amb/"' in html
    assert 'data-points="city-points"' in html and 'id="city-points"' in html
    assert "Spain" in html


def test_city_without_cases_or_population_says_so(client, world):
    response = client.get("/cities/molins-de-rei/")
    assert response.status_code == 200
    assert "no sourced figure" in response.content.decode()


def test_metro_page_lists_members_with_case_counts_and_the_cases(client, world):
    response = client.get("/metros/amb/")
    assert response.status_code == 200
    members = {m.slug: m.case_count for m in response.context["members"]}
    assert members == {"barcelona": 2, "molins-de-rei": 1}
    assert {c.slug for c in response.context["cases"]} == {
        "amb-molins-de-rei-v2g-fotolinera",
        "barcelona-superblocks",
        "barcelona-solar-roofs",
    }
    html = response.content.decode()
    assert "Member municipalities" in html and 'href="/cities/molins-de-rei/"' in html
    assert 'data-points="metro-points"' in html


def test_sdg_page_shows_goal_targets_and_cases(client, world):
    response = client.get("/sdgs/7/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Goal 7 (test)" in html
    assert 'id="target-7.1"' in html and 'id="target-7.a"' in html
    assert {c.slug for c in response.context["cases"]} == {
        "amb-molins-de-rei-v2g-fotolinera",
        "barcelona-solar-roofs",
    }


@pytest.mark.parametrize("url", ["/cities/atlantis/", "/metros/atlantis/", "/sdgs/18/", "/sdgs/0/"])
def test_unknown_places_and_goals_are_not_found(client, world, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_metro_page_prefers_the_metros_own_sourced_population(client, world):
    from metroscope.web.exchange.models import MetroArea

    MetroArea.objects.filter(slug="amb").update(
        population=3_300_000,
        population_year=2024,
        population_source="https://example.org/amb-pop",
        population_note="36 municipalities",
    )
    html = client.get("/metros/amb/").content.decode()
    assert "3,300,000" in html and "(2024)" in html and "36 municipalities" in html
    assert 'href="https://example.org/amb-pop"' in html


def test_metro_page_without_any_population_says_so(client, world):
    html = client.get("/metros/sao-paulo-metro/").content.decode()
    assert "no sourced figure" in html
