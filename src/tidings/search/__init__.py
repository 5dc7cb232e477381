"""Search: the query grammar, index terms and snippets (pure; the SQL is in store/search.py)."""

from tidings.search.grammar import MAX_DEPTH, MAX_LENGTH, MAX_TERMS, SearchError, parse
from tidings.search.tree import And, Flag, Node, Not, Or, Scope, Span, Term, positive_terms

__all__ = ["MAX_DEPTH", "MAX_LENGTH", "MAX_TERMS", "And", "Flag", "Node", "Not", "Or", "Scope",
           "SearchError", "Span", "Term", "parse", "positive_terms"]
