"""Home page, full map and SDG index: entry points render with live counts."""

from __future__ import annotations

import pytest

from .factories import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


def test_home_shows_search_counts_recent_cases_and_map(client, world):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="search"' in html and 'name="q"' in html
    assert response.context["stats"] == {"cases": 5, "cities": 4, "metros": 2, "countries": 3}
    recent = [case.slug for case in response.context["recent"]]
    assert recent[0] == "amb-molins-de-rei-v2g-fotolinera"  # newest start year (2019)
    assert "barcelona-draft-housing" not in recent
    assert 'data-map="cases"' in html and 'data-geojson="/api/cases.geojson"' in html


def test_home_offers_entry_by_topic_sdg_and_metro(client, world):
    response = client.get("/")
    html = response.content.decode()
    assert 'href="/cases/?topic=mobility"' in html
    topics = {topic.slug: topic.case_count for topic in response.context["topics"]}
    assert topics["mobility"] == 3
    assert "housing" not in topics  # only the unpublished draft is about housing
    assert 'href="/sdgs/11/"' in html
    metros = {metro.slug: metro.case_count for metro in response.context["metros"]}
    assert metros == {"amb": 3, "sao-paulo-metro": 1}
    assert 'href="/metros/amb/"' in html


def test_home_says_how_to_load_content_when_empty(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "No case studies are published yet" in response.content.decode()


def test_every_page_has_landmarks_a_skip_link_and_one_h1(client, world):
    for url in ["/", "/cases/", "/map/", "/sdgs/", "/sdgs/7/", "/compare/"]:
        html = client.get(url).content.decode()
        assert 'class="skip-link" href="#main"' in html, url
        assert '<main id="main"' in html and "<header" in html and "<footer" in html, url
        assert html.count("<h1") == 1, url
        assert '<html lang="en"' in html, url


def test_map_page_feeds_a_clustered_map_from_the_geojson_api(client, world):
    response = client.get("/map/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="full-map"' in html and 'data-geojson="/api/cases.geojson"' in html
    assert "vendor/leaflet.markercluster/leaflet.markercluster.js" in html
    assert response.context["case_count"] == 5


def test_sdg_index_lists_all_17_goals_with_case_counts(client, world):
    response = client.get("/sdgs/")
    assert response.status_code == 200
    goals = {goal.number: goal.case_count for goal in response.context["goals"]}
    assert sorted(goals) == list(range(1, 18))
    assert goals[11] == 4 and goals[7] == 2 and goals[1] == 0


def test_vendored_assets_are_served_offline(client):
    from django.contrib.staticfiles import finders

    for path in [
        "vendor/leaflet/leaflet.js",
        "vendor/leaflet/leaflet.css",
        "vendor/leaflet/LICENSE",
        "vendor/leaflet.markercluster/leaflet.markercluster.js",
        "vendor/htmx.org/htmx.min.js",
        "vendor/world-atlas/countries-50m.json",
        "exchange/site.css",
        "exchange/maps.js",
    ]:
        assert finders.find(path), path


def test_home_features_a_case_linked_to_an_energy_model(client, world):
    world["barcelona-superblocks"].energy_scenario = "superblocks-demo"
    world["barcelona-superblocks"].save()
    response = client.get("/")
    assert response.context["featured"].slug == "barcelona-superblocks"
    html = response.content.decode()
    assert "Featured case" in html and "metroscope energy compare superblocks-demo" in html


def test_without_models_the_newest_case_with_outcomes_is_featured(client, world):
    assert client.get("/").context["featured"].slug == "amb-molins-de-rei-v2g-fotolinera"
