"""Search: ranking, syntax, facets, filters, sorting and snippets on both backends."""

from __future__ import annotations

import pytest

from metroscope.web.exchange.search import CaseQuery, QueryError, search_cases, similar_cases

from .factories import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


def slugs(query: CaseQuery) -> list[str]:
    return [hit.case.slug for hit in search_cases(query).hits]


def test_it_ranks_the_molins_de_rei_station_first_for_solar_charging_sports_centre(world):
    assert (
        slugs(CaseQuery(q="solar charging sports centre"))[0] == "amb-molins-de-rei-v2g-fotolinera"
    )


def test_it_ranks_a_title_match_above_a_summary_match(world):
    results = slugs(CaseQuery(q="solar"))
    assert results[:2] == ["amb-molins-de-rei-v2g-fotolinera", "barcelona-solar-roofs"] or results[
        0
    ] in {"amb-molins-de-rei-v2g-fotolinera", "barcelona-solar-roofs"}
    assert "barcelona-draft-housing" not in results


def test_it_finds_sao_paulo_without_accents(world):
    assert slugs(CaseQuery(q="Sao Paulo")) == ["sao-paulo-bike-lanes"]
    assert slugs(CaseQuery(q="São Paulo")) == ["sao-paulo-bike-lanes"]


def test_it_answers_phrase_and_prefix_queries(world):
    assert slugs(CaseQuery(q='"sports centre"')) == ["amb-molins-de-rei-v2g-fotolinera"]
    assert slugs(CaseQuery(q='"centre sports"')) == []
    assert "seoul-cheonggyecheon" in slugs(CaseQuery(q="restor*"))


def test_it_only_searches_published_cases(world):
    assert slugs(CaseQuery(q="draft")) == []
    assert search_cases(CaseQuery()).count == 5


def test_it_counts_facets_over_the_filtered_result_set(world):
    results = search_cases(CaseQuery(filters={"topic": ["mobility"]}))
    assert results.count == 3
    assert results.facets["topic"] == {"mobility": 3, "energy": 1, "participation": 1}
    assert results.facets["country"] == {"ES": 2, "BR": 1}
    assert results.facets["sdg"]["11"] == 3
    assert results.facets["decade"] == {"2010s": 3}
    assert sum(results.facets["scale"].values()) == results.count


def test_it_ors_values_within_a_facet_and_ands_across_facets(world):
    assert search_cases(CaseQuery(filters={"topic": ["water", "housing"]})).count == 1
    assert search_cases(CaseQuery(filters={"topic": ["energy", "water"]})).count == 3
    both = search_cases(CaseQuery(filters={"topic": ["energy", "water"], "country": ["ES"]}))
    assert both.count == 2


def test_it_filters_by_bounding_box(world):
    europe = search_cases(CaseQuery(bbox=(-10.0, 35.0, 30.0, 60.0)))
    assert {hit.case.slug for hit in europe.hits} == {
        "amb-molins-de-rei-v2g-fotolinera",
        "barcelona-superblocks",
        "barcelona-solar-roofs",
    }


def test_it_sorts_by_year_and_title(world):
    assert slugs(CaseQuery(sort="oldest"))[0] == "barcelona-solar-roofs"
    assert slugs(CaseQuery(sort="newest"))[0] == "amb-molins-de-rei-v2g-fotolinera"
    assert slugs(CaseQuery(sort="title"))[0] == "seoul-cheonggyecheon"


def test_it_highlights_matches_in_html_safe_snippets(world):
    hit = search_cases(CaseQuery(q="sports")).hits[0]
    assert "<mark>sports</mark>" in hit.snippet


def test_it_names_the_parameter_of_a_bad_value(world):
    with pytest.raises(QueryError) as error:
        search_cases(CaseQuery(filters={"sdg": ["18"]}))
    assert error.value.param == "sdg"
    with pytest.raises(QueryError):
        search_cases(CaseQuery(filters={"colour": ["red"]}))
    with pytest.raises(QueryError):
        search_cases(CaseQuery(sort="random"))


def test_it_relaxes_to_any_word_when_no_case_holds_them_all(world):
    results = search_cases(CaseQuery(q="superblocks cheonggyecheon"))
    assert results.relaxed
    assert results.count == 2


def test_it_suggests_similar_cases_sharing_topics_and_goals(world):
    similar = similar_cases(world["amb-molins-de-rei-v2g-fotolinera"])
    assert similar[0].slug == "barcelona-solar-roofs"
    assert "amb-molins-de-rei-v2g-fotolinera" not in [c.slug for c in similar]
    assert "barcelona-draft-housing" not in [c.slug for c in similar]


def test_the_cached_unfiltered_counts_follow_every_change(world):
    assert search_cases(CaseQuery()).facets["country"] == {"ES": 3, "BR": 1, "KR": 1}
    from .factories import make_case

    make_case("seoul-second", city="seoul", topics=("water",), sdgs=(6,))
    assert search_cases(CaseQuery()).facets["country"] == {"ES": 3, "KR": 2, "BR": 1}
    world["barcelona-superblocks"].delete()
    assert search_cases(CaseQuery()).facets["country"] == {"ES": 2, "KR": 2, "BR": 1}


def test_facet_counts_of_a_text_query_cover_every_match_not_just_the_page(world):
    results = search_cases(CaseQuery(q="solar OR stream OR cycle", per_page=1))
    assert results.count == 4 and len(results.hits) == 1
    assert sum(results.facets["status"].values()) == 4
    assert results.facets["topic"]["energy"] == 2
