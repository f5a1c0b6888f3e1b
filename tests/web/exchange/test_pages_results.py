"""Results page: query, facets (full page and htmx partial), sort, pages, area, bad input."""

from __future__ import annotations

import pytest

from metroscope.web.exchange.views.cases import PER_PAGE

from .factories import make_case, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


def hit_slugs(response) -> list[str]:
    return [hit.case.slug for hit in response.context["hits"]]


def test_it_lists_every_published_case_newest_first_without_a_query(client, world):
    response = client.get("/cases/")
    assert response.status_code == 200
    assert response.context["results"].count == 5
    assert hit_slugs(response)[0] == "amb-molins-de-rei-v2g-fotolinera"
    assert "barcelona-draft-housing" not in hit_slugs(response)


def test_it_ranks_the_molins_de_rei_station_first_and_highlights_matches(client, world):
    response = client.get("/cases/", {"q": "solar charging sports centre"})
    assert hit_slugs(response)[0] == "amb-molins-de-rei-v2g-fotolinera"
    html = response.content.decode()
    assert "<mark>" in html
    assert "for “solar charging sports centre”" in html


def test_facets_show_counts_and_filter_the_results(client, world):
    response = client.get("/cases/")
    topic = next(f for f in response.context["facets"] if f.name == "topic")
    counts = {v.value: v.count for v in topic.values}
    assert counts["mobility"] == 3
    html = response.content.decode()
    assert 'name="topic" value="mobility"' in html

    refined = client.get("/cases/", {"topic": "mobility"})
    assert refined.context["results"].count == 3
    assert set(hit_slugs(refined)) == {
        "amb-molins-de-rei-v2g-fotolinera",
        "barcelona-superblocks",
        "sao-paulo-bike-lanes",
    }
    refined_topic = next(f for f in refined.context["facets"] if f.name == "topic")
    checked = [v.value for v in refined_topic.values if v.checked]
    assert checked == ["mobility"]
    country = next(f for f in refined.context["facets"] if f.name == "country")
    assert {v.value: v.count for v in country.values} == {"ES": 2, "BR": 1}
    assert "Topic: Mobility" in refined.content.decode()  # the active-filter chip


def test_an_htmx_request_gets_only_the_results_region(client, world):
    response = client.get("/cases/", {"topic": "energy"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="results-region"')
    assert "<html" not in html and "<header" not in html
    assert "HX-Request" in response["Vary"]
    full = client.get("/cases/", {"topic": "energy"})
    assert "<html" in full.content.decode()


def test_history_restore_gets_the_full_page(client, world):
    response = client.get(
        "/cases/",
        {"topic": "energy"},
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in response.content.decode()


def test_the_form_updates_live_and_keeps_the_address_shareable(client, world):
    html = client.get("/cases/").content.decode()
    assert 'hx-get="/cases/"' in html and 'hx-push-url="true"' in html
    assert 'hx-target="#results-region"' in html


@pytest.mark.parametrize(
    "q",
    ['"', "***", "AND OR NOT", "'; DROP TABLE exchange_casestudy; --", "(((", "-", "\x00"],
)
def test_a_malformed_query_is_answered_with_an_explanation(client, world, q):
    response = client.get("/cases/", {"q": q})
    assert response.status_code == 200
    assert response.context["results"].count >= 0


def test_a_query_without_words_says_so_and_lists_everything(client, world):
    response = client.get("/cases/", {"q": "***"})
    html = response.content.decode()
    assert "holds no words to search for" in html
    assert response.context["results"].count == 5


def test_bad_parameters_are_named_and_ignored(client, world):
    response = client.get("/cases/", {"sort": "sideways", "page": "two", "bbox": "1,2,3"})
    assert response.status_code == 200
    problems = " ".join(response.context["problems"])
    assert "Unknown sort “sideways”" in problems
    assert "page number" in problems
    assert "map area" in problems
    assert response.context["results"].count == 5


def test_an_unknown_sdg_filter_is_named_not_a_server_error(client, world):
    response = client.get("/cases/", {"sdg": "99", "topic": "energy"})
    assert response.status_code == 200
    assert any(problem.startswith("“sdg” was ignored") for problem in response.context["problems"])
    assert not any(p.endswith("..") for p in response.context["problems"])
    assert response.context["results"].count == 2  # the topic filter still applies


def test_an_empty_result_says_what_to_try(client, world):
    response = client.get("/cases/", {"q": "zeppelin"})
    assert response.status_code == 200
    assert "No case studies match" in response.content.decode()


def test_the_bbox_filter_keeps_cases_inside_the_area(client, world):
    # Barcelona area only: west, south, east, north
    response = client.get("/cases/", {"bbox": "1.5,41.0,2.5,41.8"})
    assert set(hit_slugs(response)) == {
        "amb-molins-de-rei-v2g-fotolinera",
        "barcelona-superblocks",
        "barcelona-solar-roofs",
    }
    assert "Map area" in response.content.decode()  # chip to remove it


def test_sort_by_title_and_oldest(client, world):
    by_title = hit_slugs(client.get("/cases/", {"sort": "title"}))
    assert by_title[0] == "seoul-cheonggyecheon"  # "Cheonggyecheon stream restoration"
    oldest = hit_slugs(client.get("/cases/", {"sort": "oldest"}))
    assert oldest[0] == "barcelona-solar-roofs"  # 2000


def test_pagination_keeps_filters_in_its_links(client, world):
    for i in range(PER_PAGE + 3):
        make_case(
            f"extra-energy-case-{i:02d}", topics=("energy",), title=f"Extra energy case {i:02d}"
        )
    first = client.get("/cases/", {"topic": "energy"})
    assert first.context["pages"] == 2
    html = first.content.decode()
    assert "topic=energy&amp;page=2" in html
    second = client.get("/cases/", {"topic": "energy", "page": 2})
    assert len(second.context["hits"]) == first.context["results"].count - PER_PAGE
    beyond = client.get("/cases/", {"topic": "energy", "page": 99})
    assert beyond.status_code == 200


def test_the_results_map_is_fed_the_same_search_without_rejected_parameters(client, world):
    response = client.get(
        "/cases/", {"q": "solar", "topic": "energy", "sort": "title", "bbox": "x"}
    )
    url = response.context["geojson_url"]
    assert url == "/api/cases.geojson?q=solar&topic=energy"
    feed = client.get(url)
    assert feed.status_code == 200
    slugs = {feature["properties"]["slug"] for feature in feed.json()["features"]}
    assert slugs == {hit.case.slug for hit in response.context["hits"]}


def test_the_default_order_is_left_out_of_the_address_so_a_new_query_ranks_by_relevance(
    client, world
):
    html = client.get("/cases/").content.decode()
    assert '<option value="" selected>Newest first</option>' in html
    assert 'value="relevance"' not in html  # nothing to rank without a query
    ranked = client.get("/cases/", {"q": "solar", "sort": ""})
    assert ranked.context["query"].sort == "relevance"
    assert '<option value="" selected>Best match</option>' in ranked.content.decode()
    by_title = client.get("/cases/", {"q": "solar", "sort": "title"}).content.decode()
    assert '<option value="title" selected>Title A–Z</option>' in by_title
