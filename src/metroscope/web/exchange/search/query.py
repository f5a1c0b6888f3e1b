"""Parse what people type into a search box into a safe, backend-neutral query.

Accepted syntax (anything else is ignored, never an error):

- words: ``solar charging`` — every word must match (AND);
- phrases: ``"sports centre"`` — an unbalanced quote runs to the end of the input;
- prefixes: ``electr*``;
- alternatives: ``bus OR tram`` (also ``|``);
- exclusions: ``-diesel`` or ``NOT diesel`` (only together with at least one positive term);
- ``AND`` / ``&`` are accepted and implicit.

Only letters and digits reach the database: SQL fragments, lone ``*``, stray operators and
unbalanced quotes dissolve into plain words or nothing. Renderers turn the parsed query into
an SQLite FTS5 MATCH expression or a PostgreSQL ``to_tsquery`` string.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_TOKEN = re.compile(r'"[^"]*"?|\(|\)|[-!]?[^\W_]\w*(?:[-\'’][^\W_]\w*)*\*?|\||&|\S', re.UNICODE)
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_OR = {"OR", "|"}
_AND = {"AND", "&"}
_NOT = {"NOT"}


@dataclass(frozen=True)
class Term:
    """One searchable unit: a word (one token) or a phrase (several), maybe a prefix."""

    tokens: tuple[str, ...]
    prefix: bool = False


@dataclass
class ParsedQuery:
    """Conjunction of groups; each group is a disjunction of terms; minus excluded terms."""

    groups: list[list[Term]] = field(default_factory=list)
    excluded: list[Term] = field(default_factory=list)
    explicit: bool = False  # the user wrote OR / NOT / a phrase: do not relax to OR

    @property
    def empty(self) -> bool:
        return not self.groups

    def relaxed(self) -> ParsedQuery:
        """The same terms joined by OR: used when the strict AND query finds nothing."""
        terms = [term for group in self.groups for term in group]
        return ParsedQuery(groups=[terms] if terms else [], excluded=self.excluded, explicit=True)

    def words(self) -> list[str]:
        """Every positive token, in order (for highlighting and similarity)."""
        return [tok for group in self.groups for term in group for tok in term.tokens]


def _term(raw: str) -> Term | None:
    prefix = raw.endswith("*")
    tokens = tuple(tok.lower() for tok in _WORD.findall(raw))
    if not tokens:
        return None
    return Term(tokens=tokens, prefix=prefix and len(tokens[-1]) >= 2)


def parse(text: str, max_terms: int = 32) -> ParsedQuery:
    """Parse ``text`` into a :class:`ParsedQuery`; never raises.

    Parameters
    ----------
    text
        What the user typed.
    max_terms
        Terms beyond this count are dropped, bounding the query's cost.
    """
    parsed = ParsedQuery()
    pending_or = False
    negate_next = False
    count = 0
    for raw in _TOKEN.findall(text or ""):
        if count >= max_terms:
            break
        if raw in _OR:
            pending_or = bool(parsed.groups)
            parsed.explicit = True
            continue
        if raw in _AND or raw in {"(", ")"}:
            continue
        if raw in _NOT:
            negate_next = True
            parsed.explicit = True
            continue
        negated = negate_next or (raw[0] in "-!" and len(raw) > 1)
        negate_next = False
        if raw.startswith('"'):
            parsed.explicit = True
            term = _term(raw.strip('"'))
            if term is not None and len(term.tokens) > 1:
                term = Term(tokens=term.tokens, prefix=False)
        else:
            term = _term(raw)
        if term is None:
            continue
        count += 1
        if negated:
            parsed.explicit = True
            parsed.excluded.append(term)
            pending_or = False
        elif pending_or:
            parsed.groups[-1].append(term)
            pending_or = False
        else:
            parsed.groups.append([term])
    if not parsed.groups:
        parsed.excluded = []
    return parsed


def _fts5_term(term: Term) -> str:
    text = '"' + " ".join(term.tokens) + '"'
    return text + "*" if term.prefix else text


def to_fts5(query: ParsedQuery) -> str:
    """Render as an SQLite FTS5 MATCH expression (every token double-quoted)."""
    parts = []
    for group in query.groups:
        alternatives = [_fts5_term(term) for term in group]
        parts.append(
            alternatives[0] if len(alternatives) == 1 else "(" + " OR ".join(alternatives) + ")"
        )
    expression = " AND ".join(parts)
    if len(parts) > 1 and query.excluded:
        expression = f"({expression})"
    for term in query.excluded:
        expression += f" NOT {_fts5_term(term)}"
    return expression


def _tsquery_term(term: Term) -> str:
    tokens = [
        tok + ":*" if term.prefix and i == len(term.tokens) - 1 else tok
        for i, tok in enumerate(term.tokens)
    ]
    return tokens[0] if len(tokens) == 1 else "(" + " <-> ".join(tokens) + ")"


def to_tsquery(query: ParsedQuery) -> str:
    """Render as a PostgreSQL ``to_tsquery`` string (only letters and digits in lexemes)."""
    parts = []
    for group in query.groups:
        alternatives = [_tsquery_term(term) for term in group]
        parts.append(
            alternatives[0] if len(alternatives) == 1 else "(" + " | ".join(alternatives) + ")"
        )
    parts += ["!" + _tsquery_term(term) for term in query.excluded]
    return " & ".join(parts)
