"""Compare page: 2–4 cases side by side, outcomes aligned by metric, picking cases."""

from __future__ import annotations

import pytest

from metroscope.web.exchange.models import CaseStudy, Outcome

from .factories import make_world

pytestmark = pytest.mark.django_db

A, B, C = "amb-molins-de-rei-v2g-fotolinera", "barcelona-superblocks", "sao-paulo-bike-lanes"


@pytest.fixture
def world():
    cases = make_world()
    solar = CaseStudy.objects.get(slug=A)
    Outcome.objects.create(
        case=solar,
        position=1,
        metric="co2_avoided_t",
        label="CO2 avoided",
        value=12.5,
        unit="t/yr",
        year=2021,
        source=solar.sources.first(),
    )
    solar.budget_amount = 17078.05
    solar.budget_currency = "EUR"
    solar.save()
    return cases


def test_it_puts_two_cases_side_by_side(client, world):
    response = client.get("/compare/", {"cases": f"{A},{B}"})
    assert response.status_code == 200
    assert [case.slug for case in response.context["cases"]] == [A, B]
    html = response.content.decode()
    for label in ["Place", "Scale", "Years", "Status", "Topics", "SDGs", "Budget", "Sources"]:
        assert f'<th scope="row">{label}</th>' in html
    assert "Molins de Rei" in html and "Barcelona" in html
    assert "17,078.05 EUR" in html


def test_outcomes_are_aligned_by_metric_shared_ones_first(client, world):
    response = client.get("/compare/", {"cases": f"{A},{B}"})
    rows = response.context["outcome_rows"]
    assert rows[0].metric == "test_metric" and rows[0].shared_by == 2
    co2 = next(row for row in rows if row.metric == "co2_avoided_t")
    assert co2.shared_by == 1
    assert [len(cell) for cell in co2.cells] == [1, 0]
    html = response.content.decode()
    assert "12.5 t/yr" in html


def test_up_to_four_cases_and_a_notice_beyond(client, world):
    four = ["seoul-cheonggyecheon", "barcelona-solar-roofs", A, B, C]
    response = client.get("/compare/", {"cases": ",".join(four)})
    assert len(response.context["cases"]) == 4
    assert "At most 4 cases" in response.content.decode()
    assert response.context["can_add"] is False


def test_unknown_and_unpublished_slugs_are_named(client, world):
    response = client.get("/compare/", {"cases": f"{A},nope,barcelona-draft-housing"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "“nope”" in html and "“barcelona-draft-housing”" in html
    assert [case.slug for case in response.context["cases"]] == [A]
    assert "Pick one more case" in html


def test_the_picker_adds_a_case_and_redirects_to_a_shareable_address(client, world):
    empty = client.get("/compare/")
    assert empty.status_code == 200
    assert "Pick at least two cases" in empty.content.decode()
    assert A in [choice.slug for choice in empty.context["choices"]]
    response = client.get("/compare/", {"cases": A, "add": B})
    assert response.status_code == 302
    assert response["Location"] == f"/compare/?cases={A},{B}"


def test_remove_links_drop_one_case(client, world):
    response = client.get("/compare/", {"cases": f"{A},{B},{C}"})
    html = response.content.decode()
    assert f'href="/compare/?cases={B},{C}"' in html


@pytest.mark.parametrize(
    ("metric", "title"),
    [
        ("solar_pv_capacity_kw", "Solar PV capacity"),
        ("co2_reduction_t_per_year", "CO2 reduction"),
        ("km_built", "Kilometres built"),
        ("v2g_energy_exported", "V2G energy exported"),
        ("participants", "Participants"),
    ],
)
def test_shared_metrics_get_a_neutral_heading(metric, title):
    from metroscope.web.exchange.views.compare import metric_title

    assert metric_title(metric) == title


def test_a_metric_of_one_case_keeps_that_cases_label(client, world):
    rows = client.get("/compare/", {"cases": f"{A},{B}"}).context["outcome_rows"]
    assert next(row for row in rows if row.metric == "co2_avoided_t").label == "CO2 avoided"
    assert next(row for row in rows if row.metric == "test_metric").label == "Test metric"
