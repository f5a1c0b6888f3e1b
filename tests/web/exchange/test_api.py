"""The JSON API: search with facets, full records, GeoJSON/CSV feeds, places, SDGs, errors."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from .factories import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


@pytest.fixture
def client() -> Client:
    return Client()


def test_it_lists_the_molins_de_rei_case_first_for_the_issues_query(world, client):
    body = client.get("/api/cases", {"q": "solar charging sports centre"}).json()
    assert body["items"][0]["slug"] == "amb-molins-de-rei-v2g-fotolinera"
    item = body["items"][0]
    assert set(item) >= {
        "slug",
        "title",
        "city",
        "country",
        "metro",
        "scale",
        "status",
        "start_year",
        "end_year",
        "topics",
        "sdgs",
        "summary",
        "snippet",
        "lat",
        "lon",
        "url",
    }
    assert (
        item["country"] == "ES"
        and item["metro"] == "amb"
        and item["url"] == f"/cases/{item['slug']}/"
    )


def test_its_facet_counts_match_the_filtered_result_set(world, client):
    body = client.get(
        "/api/cases?topic=mobility&topic=water&country=ES&country=BR&per_page=100"
    ).json()
    items = body["items"]
    assert body["count"] == len(items) == 3
    for facet, key in [("country", "country"), ("scale", "scale"), ("status", "status")]:
        expected: dict[str, int] = {}
        for item in items:
            expected[item[key]] = expected.get(item[key], 0) + 1
        assert body["facets"][facet] == dict(
            sorted(expected.items(), key=lambda kv: (-kv[1], kv[0]))
        )
    topics: dict[str, int] = {}
    for item in items:
        for topic in item["topics"]:
            topics[topic] = topics.get(topic, 0) + 1
    assert body["facets"]["topic"] == dict(sorted(topics.items(), key=lambda kv: (-kv[1], kv[0])))


def test_it_pages_through_results(world, client):
    first = client.get("/api/cases?sort=title&per_page=2&page=1").json()
    second = client.get("/api/cases?sort=title&per_page=2&page=2").json()
    assert first["count"] == second["count"] == 5
    assert [i["slug"] for i in first["items"]] != [i["slug"] for i in second["items"]]


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ("sdg=18", "sdg"),
        ("sdg=seven", "sdg"),
        ("decade=1990", "decade"),
        ("bbox=1,2,3", "bbox"),
        ("bbox=a,b,c,d", "bbox"),
        ("bbox=10,50,20,40", "bbox"),
        ("sort=random", "sort"),
        ("page=0", "page"),
        ("page=x", "page"),
        ("per_page=1000", "per_page"),
    ],
)
def test_it_answers_a_bad_parameter_with_422_naming_it(world, client, query, param):
    response = client.get(f"/api/cases?{query}")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == param


def test_it_filters_by_bounding_box(world, client):
    body = client.get("/api/cases?bbox=-60,-30,-40,-20").json()
    assert [i["slug"] for i in body["items"]] == ["sao-paulo-bike-lanes"]


def test_it_returns_a_full_case_with_outcomes_and_sources(world, client):
    body = client.get("/api/cases/amb-molins-de-rei-v2g-fotolinera").json()
    assert body["outcomes"][0]["metric"] == "test_metric"
    assert body["sources"][0]["url"].startswith("https://")
    assert body["place"]["metro"] == "amb"
    assert client.get("/api/cases/barcelona-draft-housing").status_code == 404
    assert client.get("/api/cases/nothing-here").status_code == 404


def test_it_serves_matching_cases_as_geojson(world, client):
    response = client.get("/api/cases.geojson?topic=energy")
    assert response["Content-Type"] == "application/geo+json"
    features = response.json()["features"]
    assert {f["id"] for f in features} == {
        "amb-molins-de-rei-v2g-fotolinera",
        "barcelona-solar-roofs",
    }
    assert all(f["geometry"]["type"] == "Point" for f in features)


def test_it_serves_matching_cases_as_csv_in_the_import_format(world, client):
    response = client.get("/api/cases.csv?country=KR")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["slug"] for row in rows] == ["seoul-cheonggyecheon"]
    assert rows[0]["city"] == "seoul"


def test_it_lists_cities_metros_and_sdgs_with_case_counts(world, client):
    cities = {c["slug"]: c for c in client.get("/api/cities").json()}
    assert cities["barcelona"]["cases"] == 2  # the draft is not counted
    metros = {m["slug"]: m for m in client.get("/api/metros").json()}
    assert metros["amb"]["cities"] == ["barcelona", "molins-de-rei"] and metros["amb"]["cases"] == 3
    sdgs = client.get("/api/sdgs").json()
    assert len(sdgs) == 17 and sdgs[6]["number"] == 7 and sdgs[6]["cases"] == 2


def test_it_publishes_openapi_docs_that_work_offline(client):
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    assert b"/static/ninja/swagger-ui-bundle.js" in docs.content and b"cdn." not in docs.content
    schema = client.get("/api/openapi.json").json()
    assert "/api/cases" in schema["paths"] and "/api/cases/{slug}" in schema["paths"]


def test_it_allows_any_origin_to_read(world, client):
    response = client.get("/api/cities", HTTP_ORIGIN="https://elsewhere.example")
    assert response["Access-Control-Allow-Origin"] == "*"
