"""Case page: sections with linked citations, outcomes, sources, facts, map, neighbours."""

from __future__ import annotations

import datetime

import pytest

from metroscope.web.exchange.models import Outcome, SdgTarget, Source

from .factories import make_world

pytestmark = pytest.mark.django_db

SLUG = "amb-molins-de-rei-v2g-fotolinera"


@pytest.fixture
def world():
    cases = make_world()
    case = cases[SLUG]
    case.summary = "A solar pergola charges cars [1] and feeds the sports centre [2]."
    case.results = "It injected more than 4,000 kWh into the grid [2].\n\nA second paragraph [9]."
    case.lessons = "Use **standard** designs.\n\n<script>alert(1)</script>"
    case.budget_amount = 17078.05
    case.budget_currency = "EUR"
    case.budget_note = "excluding VAT"
    case.stakeholders = ["Àrea Metropolitana de Barcelona (AMB)", "Ajuntament de Molins de Rei"]
    case.energy_scenario = "molins-de-rei"
    case.save()
    second = Source.objects.create(
        case=case,
        position=1,
        url="https://example.org/interreg",
        title="V2G EV charging network",
        publisher="Interreg Europe",
        accessed=datetime.date(2026, 11, 26),
    )
    Outcome.objects.create(
        case=case,
        position=1,
        metric="v2g_energy_exported",
        label="Energy injected into the grid",
        value=4000,
        unit="kWh",
        note="more than 4,000 kWh",
        source=second,
    )
    case.sdg_targets.set([SdgTarget.objects.get(code="7.1")])
    return cases


def page(client):
    response = client.get(f"/cases/{SLUG}/")
    assert response.status_code == 200
    return response, response.content.decode()


def test_it_shows_the_sections_in_order(client, world):
    _, html = page(client)
    positions = [
        html.index(title)
        for title in ["The challenge", "What was done", "Results", "Lessons learned"]
    ]
    assert positions == sorted(positions)
    assert "Public bidirectional (V2G) solar charging station in Molins de Rei" in html


def test_citation_markers_link_to_the_numbered_sources(client, world):
    _, html = page(client)
    assert '<a href="#source-1" aria-label="Source 1">1</a>' in html
    assert '<a href="#source-2" aria-label="Source 2">2</a>' in html
    assert 'id="source-1"' in html and 'id="source-2"' in html
    assert "[9]" in html and 'href="#source-9"' not in html  # no such source: left as text


def test_markdown_is_rendered_and_raw_html_is_escaped(client, world):
    _, html = page(client)
    assert "<strong>standard</strong>" in html
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_outcomes_table_shows_value_unit_note_and_source_number(client, world):
    _, html = page(client)
    assert "Measured outcomes" in html
    assert "4,000 kWh" in html
    assert "more than 4,000 kWh" in html
    assert 'href="#source-2" aria-label="Source 2">[2]</a>' in html


def test_sources_show_publisher_and_access_date(client, world):
    _, html = page(client)
    assert "Interreg Europe" in html
    assert "accessed 26 November 2026" in html
    assert 'href="https://example.org/interreg"' in html


def test_facts_budget_stakeholders_topics_sdgs_and_map_pin(client, world):
    _, html = page(client)
    assert "17,078.05 EUR" in html and "excluding VAT" in html
    assert "Àrea Metropolitana de Barcelona (AMB)" in html
    assert 'href="/cases/?topic=energy"' in html
    assert 'class="sdg-badge" href="/sdgs/7/"' in html
    assert 'href="/sdgs/7/#target-7.1"' in html
    assert 'data-map="pin" data-lat="41.414000" data-lon="2.016000"' in html
    assert 'href="/metros/amb/"' in html and 'href="/cities/molins-de-rei/"' in html


def test_similar_cases_and_add_to_compare(client, world):
    response, html = page(client)
    similar = [case.slug for case in response.context["similar"]]
    assert similar and SLUG not in similar
    assert f'href="/compare/?cases={SLUG}"' in html
    assert "Add to compare" in html


def test_add_to_compare_extends_the_last_comparison(client, world):
    client.get("/compare/", {"cases": "barcelona-superblocks"})
    html = client.get(f"/cases/{SLUG}/").content.decode()
    assert f'href="/compare/?cases=barcelona-superblocks,{SLUG}"' in html


def test_unknown_and_unpublished_cases_are_not_found(client, world):
    assert client.get("/cases/no-such-case/").status_code == 404
    assert client.get("/cases/barcelona-draft-housing/").status_code == 404


def test_a_case_with_an_energy_scenario_says_how_to_simulate_it(client, world):
    _, html = page(client)
    assert "metroscope energy compare molins-de-rei" in html
