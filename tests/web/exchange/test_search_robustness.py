"""Whatever people type, search answers (never a server error): property tests with hypothesis."""

from __future__ import annotations

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metroscope.web.exchange.search import CaseQuery, search_cases
from metroscope.web.exchange.search.query import parse, to_fts5, to_tsquery

from .factories import make_world

pytestmark = pytest.mark.django_db

NASTY = [
    '"',
    '"unbalanced',
    "*",
    "**",
    "AND OR",
    "OR",
    "NOT",
    "-",
    "- -",
    "()",
    "(",
    "a AND",
    "OR b",
    "'; DROP TABLE exchange_casestudy; --",
    "1=1 OR 1=1",
    "NEAR(a b)",
    "title:solar",
    "^solar",
    "solar*charging",
    "é*",
    "\\",
    "%",
    "_",
    "\x00",
    "😀 solar",
    "a" * 600,
    "NOT NOT NOT",
    '"" OR ""',
    "{}",
    "col:*",
    "-solar",
    "!solar",
    "|",
    "&&",
    "<script>alert(1)</script>",
]
query_text = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=60),
    st.lists(
        st.sampled_from(["solar", "AND", "OR", "NOT", '"', "*", "-", "(", ")", "são", "x*"]),
        max_size=8,
    ).map(" ".join),
)


@pytest.fixture
def world():
    return make_world()


@pytest.mark.parametrize("text", NASTY)
def test_it_answers_malformed_queries(world, text):
    results = search_cases(CaseQuery(q=text))
    assert results.count >= 0
    for hit in results.hits:
        assert "<script>" not in hit.snippet


@given(text=query_text)
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_it_renders_only_quoted_alphanumeric_tokens(text):
    parsed = parse(text)
    fts = to_fts5(parsed)
    assert fts.count('"') % 2 == 0
    for token in parsed.words():
        assert token.replace("_", "").isalnum()
    assert ";" not in to_tsquery(parsed) and "'" not in to_tsquery(parsed)


@given(text=query_text)
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_the_api_never_fails_on_any_query_text(world, text):
    response = Client().get("/api/cases", {"q": text.replace("\x00", "")})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] >= len(body["items"])
