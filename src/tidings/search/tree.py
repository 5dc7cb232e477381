"""The parsed query: a small tree of plain values, built once, run by the store on both
engines and by the reference evaluator in the tests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Term:
    """Words in a field (`text` = title or body); several words must stand together. A
    `said` term with a `speaker` matches only quotes of that speaker."""

    field: str
    value: str
    speaker: str = ""


@dataclass(frozen=True)
class Scope:
    """source: or folder: — a name of the reader's own (their titles and folders)."""

    field: str
    value: str


@dataclass(frozen=True)
class Flag:
    """is:unread, is:read or is:starred."""

    value: str


@dataclass(frozen=True)
class Span:
    """before: (strictly earlier) or after: (at or later) a time, on the published date
    (the arrival time when the article has none)."""

    field: str
    when: datetime


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    child: Node


Node = Term | Scope | Flag | Span | And | Or | Not


def all_of(nodes: Sequence[Node]) -> Node:
    return nodes[0] if len(nodes) == 1 else And(tuple(_same_quote(nodes)))


def _same_quote(nodes: Sequence[Node]) -> list[Node]:
    """`speaker:X said:Y` side by side ask what X said: Y must be in a quote of X's."""
    speakers = [n.value for n in nodes if isinstance(n, Term) and n.field == "speaker"]
    if not speakers:
        return list(nodes)
    out: list[Node] = []
    for node in nodes:
        if isinstance(node, Term) and node.field == "said" and not node.speaker:
            out.extend(Term("said", node.value, s) for s in speakers)
        else:
            out.append(node)
    return out


def any_of(nodes: Sequence[Node]) -> Node:
    return nodes[0] if len(nodes) == 1 else Or(tuple(nodes))


def negate(node: Node) -> Node:
    return node.child if isinstance(node, Not) else Not(node)


def positive_terms(node: Node) -> list[Term]:
    """The terms a result matched because of (not under a negation): what to highlight."""
    if isinstance(node, Term):
        return [node]
    if isinstance(node, And | Or):
        return [t for child in node.children for t in positive_terms(child)]
    return []


def render(node: Node) -> str:
    """The tree back as a query string that parses to the same tree."""
    if isinstance(node, Term):
        value = f'"{node.value}"'
        return value if node.field == "text" else f"{node.field}:{value}"
    if isinstance(node, Scope):
        return f'{node.field}:"{node.value}"'
    if isinstance(node, Flag):
        return f"is:{node.value}"
    if isinstance(node, Span):
        return f"{node.field}:{node.when.isoformat()}"
    if isinstance(node, Not):
        return f"-({render(node.child)})"
    joiner = " OR " if isinstance(node, Or) else " "
    return "(" + joiner.join(render(c) for c in node.children) + ")"
