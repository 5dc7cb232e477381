"""A generated corpus (several languages, inflections, accents, quotes, names, read state)
and random queries over it, rendered as text so that they go through the parser."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Connection

from tests.accounts import reader
from tidings.models import Article, Entity, EntityKind, Quote, Source, SourceKind
from tidings.store import entities as entity_store
from tidings.store import library, search_index
from tidings.store.articles import insert_article
from tidings.store.sources import add_source

_TEXT = {
    "en": ("sanction sanctions sanctioned talks talking minister ministers ports harbour "
           "running runs ran election elections vote voted café cafe naïve energy prices "
           "grain grains ship ships the of and"),
    "fr": ("sanction sanctions ministre ministres élection élections prix énergie port ports "
           "navire navires café été les des et"),
    "de": ("Sanktion Sanktionen Minister Wahlen Wahl Preise Energie Hafen Häfen Schiff "
           "Schiffe Straße strasse der die und"),
    "": "xq zork zorks blorp 2026 g7 covid19 ølbryggeri",
}
WORDS = {lang: text.split() for lang, text in _TEXT.items()}
PEOPLE = ["Sergey Lavrov", "Wang Yi", "Wang Wenbin", "John Kirby", "Amara Quist",
          "Jess Ní Bhriain", "Bláithín Sorensen"]
TOPICS = ["Ukraine war", "Politics", "Economy", "Sport", "Conflict, war and peace"]
NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


@dataclass
class Corpus:
    user_id: int
    phrases: list[str] = field(default_factory=list)  # word pairs that occur somewhere
    sources: list[str] = field(default_factory=list)
    folders: list[str] = field(default_factory=list)


def _sentence(rng: random.Random, lang: str, n: int) -> str:
    return " ".join(rng.choice(WORDS[lang]) for _ in range(n))


def build(conn: Connection, seed: int = 7, n_articles: int = 160) -> Corpus:
    rng = random.Random(seed)
    user = reader(conn, "searcher")
    other = reader(conn, "someone-else")
    corpus = Corpus(user.id or 0, sources=["Harbour Gazette", "Le Quotidien", "Die Zeitung",
                                           "Unsubscribed Daily"], folders=["News", "Abroad"])
    source_ids = []
    for i, title in enumerate(corpus.sources):
        src, _ = add_source(conn, Source(url=f"https://example.org/{i}", title=title,
                                         kind=SourceKind.PAGE))
        source_ids.append(src.id or 0)
        library.subscribe(conn, other.id or 0, src.id or 0)
        if i < 3:
            library.subscribe(conn, corpus.user_id, src.id or 0, folder=corpus.folders[i % 2],
                              title="My Harbour" if i == 0 else "")
    for n in range(n_articles):
        _article(conn, rng, corpus, rng.choice(source_ids), n)
    return corpus


def _article(conn: Connection, rng: random.Random, corpus: Corpus, source_id: int,
             n: int) -> None:
    lang = rng.choice(["en", "en", "fr", "de", ""])
    text = _sentence(rng, lang, rng.randint(3, 30))
    words = text.split()
    if len(words) > 2:
        i = rng.randrange(len(words) - 1)
        corpus.phrases.append(f"{words[i]} {words[i + 1]}")
    people = rng.sample(PEOPLE, rng.randint(0, 3))
    said = [Quote(_sentence(rng, lang, rng.randint(2, 6)), speaker=rng.choice(PEOPLE))
            for _ in range(rng.randint(0, 2))]
    when = NOW - timedelta(hours=rng.randint(0, 24 * 60))
    article = Article(
        url=f"https://example.org/a/{n}", title=_sentence(rng, lang, rng.randint(1, 6)),
        byline=rng.choice(["", "By Ann Writer", "Jean Dupont", "Ann"]), language=lang,
        text=text, key_points=[_sentence(rng, lang, 3)] if rng.random() < 0.3 else [],
        captions=[_sentence(rng, lang, 4)] if rng.random() < 0.3 else [],
        topics=rng.sample(TOPICS, rng.randint(0, 2)), source_id=source_id,
        published_at=when if rng.random() < 0.8 else None, fetched_at=when)
    article_id = insert_article(conn, article, entry_key=f"k{n}")
    found = [Entity(name, EntityKind.PERSON) for name in people]
    entity_store.save_annotations(conn, article_id, found, said, lambda name, kind: name)
    search_index.index_article(conn, article_id)
    if rng.random() < 0.3:
        library.set_state(conn, corpus.user_id, [article_id], read=rng.random() < 0.7,
                          starred=rng.random() < 0.5)


class Queries:
    """Random query strings over a vocabulary (words, phrases, names, sources, dates)."""

    def __init__(self, rng: random.Random, words: list[str], phrases: list[str],
                 names: list[str], sources: list[str], folders: list[str],
                 now: datetime) -> None:
        self.rng, self.words, self.phrases, self.names = rng, words, phrases, names
        self.sources, self.folders, self.now = sources, folders, now

    def leaf(self) -> str:
        r = self.rng
        kind = r.randrange(12)
        if kind <= 2:
            return r.choice(self.words)
        if kind == 3:
            return f'"{r.choice(self.phrases)}"' if self.phrases else r.choice(self.words)
        if kind == 4:
            return f"{r.choice(['title', 'said', 'author'])}:{r.choice(self.words)}"
        if kind in {5, 6}:
            name = r.choice(self.names)
            part = name if r.random() < 0.5 else r.choice(name.split())
            return f'{r.choice(["entity", "speaker"])}:"{part}"'
        if kind == 7:
            return f'topic:"{r.choice([*TOPICS, "war", "Politics"])}"'
        if kind == 8:
            field_name = r.choice(["source", "folder"])
            pool = self.sources if field_name == "source" else self.folders
            return f'{field_name}:"{r.choice(pool).lower()}"'
        if kind == 9:
            return f"is:{r.choice(['unread', 'read', 'starred'])}"
        when = self.now - timedelta(days=r.randint(0, 60))
        value = f"{r.randint(1, 60)}d" if r.random() < 0.5 else when.date().isoformat()
        return f"{r.choice(['before', 'after'])}:{value}"

    def query(self, depth: int = 0) -> str:
        r = self.rng
        if depth >= 2 or r.random() < 0.45:
            text = self.leaf()
        else:
            parts = [self.query(depth + 1) for _ in range(r.randint(2, 3))]
            text = "(" + (" OR " if r.random() < 0.4 else " ").join(parts) + ")"
        return f"-{text}" if r.random() < 0.15 else text
