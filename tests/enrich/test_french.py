"""French articles: entities from fr_core_news_sm, and a warning that says what is missing."""

from __future__ import annotations

from tidings.enrich import enrich_many
from tidings.models import Article, EntityKind

FRENCH = Article(
    title="Le pont de la Charité fermé trois semaines",
    text=("Le maire de Villeneuve, Grégoire Dumoulin, a annoncé lundi la fermeture du pont de "
          "la Charité pour trois semaines. La Métropole de Lyon financera les travaux, a "
          "précisé Jeanne Morvan, adjointe aux transports. Les bus seront déviés pendant toute "
          "la durée du chantier, selon la société Transvallée."),
    topic_label="Transports",
)
GERMAN = Article(text=("Der Stadtrat hat am Dienstag beschlossen, entlang des Flusses einen "
                       "neuen Radweg zu bauen. Die Arbeiten sollen im Frühjahr beginnen."))


def test_a_french_article_gets_its_people_and_places() -> None:
    article = enrich_many([FRENCH])[0]
    kinds = {e.name: e.kind for e in article.entities}
    assert article.language == "fr"
    assert kinds.get("Grégoire Dumoulin") == EntityKind.PERSON
    assert kinds.get("Jeanne Morvan") == EntityKind.PERSON
    assert kinds.get("Lyon") == EntityKind.PLACE or kinds.get("Métropole de Lyon") in (
        EntityKind.PLACE, EntityKind.ORG)
    assert article.quotes == [] and article.key_points == []
    assert article.topics == ["Transports"]
    assert article.warning == (
        "language 'fr' is enriched in part: entities only, no quotes or key points")


def test_french_and_english_and_german_in_one_batch_each_get_their_due() -> None:
    english = Article(text="Mayor Ada Ruske of Quarnby said the bridge would reopen on "
                           "Friday after three weeks of repairs to its deck.")
    fr, en, de = enrich_many([FRENCH, english, GERMAN])
    assert fr.entities and en.entities and not de.entities
    assert en.warning is None
    assert de.warning == "language 'de' is not enriched: no entities, quotes or key points"
