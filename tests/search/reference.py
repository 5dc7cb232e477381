"""A reference evaluator: the query semantics in plain Python over a reader's articles, read
back from the database, sharing with the engine only the word rules (`tidings.search.terms`:
what a word is, its stem, its folded form), none of the index encoding or SQL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from tidings.search import And, Flag, Node, Not, Or, Scope, Span, Term
from tidings.search import terms as t
from tidings.store import entities as entity_store
from tidings.store import library
from tidings.store.articles import to_article
from tidings.store.schema import articles, subscriptions


@dataclass
class Doc:
    id: int
    tag: str
    title: list[str]
    body: list[list[str]]
    said: list[list[str]]
    quotes: list[tuple[set[str], list[str]]]  # (speaker's name terms, stemmed words)
    author: list[str]
    names: dict[str, set[str]]  # entity/speaker/topic → every name term
    source_id: int
    read: bool
    starred: bool
    when: datetime


def _has(segments: Sequence[Sequence[str]], phrase: Sequence[str]) -> bool:
    return any(t.contains(seg, phrase) for seg in segments)


def _name_set(names: Sequence[str]) -> set[str]:
    return {term for name in names for term in t.name_terms(name)}


def load(conn: Connection, user_id: int) -> list[Doc]:
    rows = conn.execute(sa.select(articles).join(subscriptions, sa.and_(
        subscriptions.c.source_id == articles.c.source_id,
        subscriptions.c.user_id == user_id))).all()
    arts = [to_article(r) for r in rows]
    ids = [a.id or 0 for a in arts]
    ents = entity_store.entities_of(conn, ids)
    marks = library.states(conn, user_id, ids)
    docs = []
    for a in arts:
        tag = t.language_tag(a.language)
        said = entity_store.quotes_of(conn, a.id or 0)
        topics = [*a.topics, a.topic_label]
        docs.append(Doc(
            a.id or 0, tag, t.stemmed(a.title, tag),
            [t.stemmed(x, tag) for x in [a.text, *a.key_points, *a.captions]],
            [t.stemmed(q.text, tag) for q in said],
            [(set(t.name_terms(q.speaker)), t.stemmed(q.text, tag)) for q in said],
            t.folded(a.byline),
            {"entity": _name_set([e.name for e in ents[a.id or 0]]),
             "speaker": _name_set([q.speaker for q in said]),
             "topic": _name_set([x for x in topics if x])},
            a.source_id or 0, marks[a.id or 0].read, marks[a.id or 0].starred,
            a.published_at or a.fetched_at or datetime.min))
    return docs


def _term(doc: Doc, node: Term) -> bool:
    f, v = node.field, node.value
    if f in ("entity", "speaker", "topic"):
        return "".join(t.folded(v)) in doc.names[f]
    if f == "author":
        return t.contains(doc.author, t.folded(v))
    phrase = t.stemmed(v, doc.tag)
    if node.speaker:
        by = "".join(t.folded(node.speaker))
        return any(by in names and t.contains(words, phrase) for names, words in doc.quotes)
    fields = {"text": [[doc.title], doc.body], "title": [[doc.title]], "said": [doc.said]}[f]
    return any(_has(segs, phrase) for segs in fields)


def matches(doc: Doc, node: Node, names: dict[int, str], folders: dict[int, str]) -> bool:
    if isinstance(node, Term):
        return _term(doc, node)
    if isinstance(node, Scope):
        if node.field == "folder":
            return folders[doc.source_id].casefold() == node.value.casefold()
        return node.value.casefold() in names[doc.source_id].casefold()
    if isinstance(node, Flag):
        return {"read": doc.read, "unread": not doc.read, "starred": doc.starred}[node.value]
    if isinstance(node, Span):
        return doc.when < node.when if node.field == "before" else doc.when >= node.when
    if isinstance(node, Not):
        return not matches(doc, node.child, names, folders)
    if isinstance(node, And):
        return all(matches(doc, c, names, folders) for c in node.children)
    assert isinstance(node, Or)
    return any(matches(doc, c, names, folders) for c in node.children)


def reference_ids(docs: Sequence[Doc], tree: Node, names: dict[int, str],
                  folders: dict[int, str]) -> set[int]:
    return {d.id for d in docs if matches(d, tree, names, folders)}
