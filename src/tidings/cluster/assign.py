"""Which story a new article joins, judged against the recent articles of every story.

A story is represented by the centroid of its recent articles' bags, so a story that many
outlets covered has a stable core of words and names and one odd article does not drag it
around. The article joins the story whose centroid it is most similar to, when that similarity
clears `JOIN_THRESHOLD`; a syndicated copy of a story's article joins that story outright.
Years written in both texts add to the similarity: two events of the same kind (two arrests,
two patches for one browser) read alike but are rarely told with the same years.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import numpy.typing as npt

from tidings.cluster.centroids import TERM_MASK, Bag, Centroids, cosines, overlap
from tidings.cluster.fingerprint import NEAR_DUPLICATE, Fingerprint, term_arrays

# Chosen by leave-one-topic-out on ECB+ dev (bench/clustering.py prints the CV figure too).
# One pass (each decision final): JOIN_THRESHOLD. With the split repair after every join
# (`split_story`), joining more readily pays: a wrong join is undone once the second event
# has a few articles, so REPAIR_JOIN_THRESHOLD is lower. With the lead weighting of the bags
# (tidings.cluster.terms.LEAD_BOOST) articles of one topic read more alike and one pass needs
# a higher threshold: on ECB+ dev (one pass, file order) BCubed F1 at 0.29 / 0.32 / 0.35 /
# 0.38 / 0.41 / 0.44 is 0.849 / 0.881 / 0.904 / 0.915 / 0.906 / 0.875 and leave-one-topic-out
# picks 0.38 on all 33 topics, but from 0.35 up one event of the demo newsroom
# (tests/cluster/test_demo_newsroom.py) splits in one pass: 0.32 is the highest that keeps it.
JOIN_THRESHOLD = 0.32
REPAIR_JOIN_THRESHOLD = 0.26
NAME_SHARE = 0.4  # how much the name bag counts beside the topic bag
YEAR_SHARE = 0.15  # added for years in common (a bonus: most articles name no year)
# Years this close to a dated article's own year are the present's, shared by every story of
# the week (budgets for next year, five-year plans): the date window already speaks for them.
PRESENT_YEARS = 3
STORY_WINDOW = timedelta(days=4)  # articles further apart than this are never one story
# Lead embeddings (when given): their cosine takes EMBED_SHARE of a full text's similarity and
# SHORT_EMBED_SHARE of a headline-only item's, whose similarity (topic words and lead) is
# then scaled by SHORT_SCALE onto the full texts' scale, so that one threshold serves both.
EMBED_SHARE = 0.0
SHORT_EMBED_SHARE = 0.5
SHORT_SCALE = 1.5
# A headline-only item that shares fewer topic words than SHORT_MIN_SHARED with the other
# side (one word in common: a place, a weekday) has its topic words counted only when the
# lead embeddings agree too (cosine at least SHORT_CORROBORATION): one shared word is as
# often chance between two short items as it is the story's name. Chosen by leave-one-
# stream-out over the UCI sample, ECB+ lead and ECB+ first-line streams (bench/
# cluster_headlines.py): off / 0.35 / 0.5 gave B³ F1 0.694 / 0.677 / 0.640 (UCI),
# 0.766 / 0.837 / 0.846 (lead), 0.696 / 0.717 / 0.714 (first line). Left one stream out,
# the other two choose 0.35 for both ECB+ streams and 0.5 for UCI (0.640 there); 0.35
# ships (best summed over the three). (Measured with SHORT_EMBED_SHARE 0.3, centroid only.)
SHORT_MIN_SHARED = 2
SHORT_CORROBORATION = 0.35
# A headline-only item is compared with each story's closest article as well as with its
# centroid, SHORT_MEMBER_SHARE of its similarity being the former: a big story's centroid
# spreads over many wordings, and a headline says one of them. Chosen with SHORT_SCALE and
# SHORT_EMBED_SHARE over the bench's grid (bench/cluster_headlines.py: member share 0 / 0.5
# / 1 x scale 1-2.5 x embedding share 0.3 / 0.5), 2026-12-02: best summed over the three
# streams is (1, 1.5, 0.5), B³ F1 UCI 0.749, ECB+ lead 0.840, first line 0.717 (the
# centroid-only (0, 1.5, 0.3) shipped before: 0.677 / 0.837 / 0.717); left one stream out,
# 0.631 / 0.821 / 0.717 (centroid-only grid: 0.639 / 0.602 / 0.713). On ECB+ dev full
# texts (its 55 short documents, no embeddings) the file order goes 0.927 -> 0.931.
SHORT_MEMBER_SHARE = 1.0

IdArray = npt.NDArray[np.uint64]
StoryArray = npt.NDArray[np.int64]
WeightArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Candidate:
    """One recent article: the story it belongs to and its fingerprint."""

    story_id: int
    fingerprint: Fingerprint
    published_at: datetime | None = None


def assign_story(fp: Fingerprint, candidates: Sequence[Candidate], *,
                 published_at: datetime | None = None,
                 window: timedelta = STORY_WINDOW,
                 threshold: float = JOIN_THRESHOLD,
                 centroids: Centroids | None = None) -> int | None:
    """The story id `fp` joins, or None when it starts a new story.

    Candidates dated more than `window` away from `published_at` are ignored; without dates
    on either side, every candidate counts. `threshold` is the least similarity to join.
    """
    close = close_stories(fp, candidates, published_at=published_at, window=window,
                          threshold=threshold, centroids=centroids)
    return close[0][0] if close else None


def close_stories(fp: Fingerprint, candidates: Sequence[Candidate], *,
                  published_at: datetime | None = None, window: timedelta = STORY_WINDOW,
                  threshold: float = JOIN_THRESHOLD,
                  centroids: Centroids | None = None) -> list[tuple[int, float]]:
    """Every story `fp` is similar enough to join with its similarity, the closest first (a
    syndicated copy's story outright, as 1.0). More than one: the article may be the link
    between two stories. `centroids` keeps stories' summed bags between calls (the same
    scores, sooner)."""
    if fp.is_empty:
        return []
    near = [c for c in candidates if _within(c.published_at, published_at, window)]
    if not near:
        return []
    duplicate = _duplicate_of(fp, near)
    if duplicate is not None:
        return [(duplicate, 1.0)]
    story_ids, scores = story_scores(fp, near, published_at=published_at,
                                     centroids=centroids)
    order = np.argsort(-scores, kind="stable")
    return [(int(story_ids[i]), float(scores[i])) for i in order if scores[i] >= threshold]


def _utc(when: datetime) -> datetime:
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when


def _within(a: datetime | None, b: datetime | None, window: timedelta) -> bool:
    return a is None or b is None or abs(_utc(a) - _utc(b)) <= window


def _duplicate_of(fp: Fingerprint, candidates: Sequence[Candidate]) -> int | None:
    if not fp.signature:
        return None
    size = len(fp.signature)
    usable = [c for c in candidates if len(c.fingerprint.signature) == size]
    if not usable:
        return None
    # the signatures as stored, joined: one array without a conversion per candidate
    sigs = np.frombuffer(b"".join([c.fingerprint.signature_bytes for c in usable]),
                         dtype=">u4").reshape(len(usable), size)
    overlap = (sigs == fp.signature_array).mean(axis=1)
    best = int(np.argmax(overlap))
    return usable[best].story_id if overlap[best] >= NEAR_DUPLICATE else None


def telling_years(years: dict[str, float], published_at: datetime | None) -> dict[str, float]:
    """The years that can tell stories apart: without a date all, else the distant ones."""
    if published_at is None:
        return years
    return {y: w for y, w in years.items() if abs(int(y) - published_at.year) > PRESENT_YEARS}


def story_scores(fp: Fingerprint, candidates: Sequence[Candidate], *,
                 published_at: datetime | None = None,
                 centroids: Centroids | None = None) -> tuple[StoryArray, WeightArray]:
    """Story ids among `candidates` and the similarity of `fp` to each story's centroid."""
    story_ids, member_story = np.unique(
        np.array([c.story_id for c in candidates], dtype=np.int64), return_inverse=True)
    stories = len(story_ids)
    telling = telling_years(fp.years, published_at)
    query_years = (fp.year_arrays if telling is fp.years else term_arrays(telling)
                   ) if telling else None
    if fp.short:
        years = np.zeros(stories) if query_years is None else _centroid_cosines(
            query_years, [c.fingerprint.year_arrays for c in candidates], member_story, stories)
        return story_ids, _short_scores(fp, candidates, member_story, stories) + YEAR_SHARE * years
    embedded = _embedding_cosines(fp, candidates, member_story, stories)
    if centroids is not None and story_ids[0] >= 0 and int(story_ids[-1]) <= TERM_MASK:
        return story_ids, _cached_scores(fp, candidates, story_ids, centroids=centroids,
                                         query_years=query_years, embedded=embedded)
    years = np.zeros(stories) if query_years is None else _centroid_cosines(
        query_years, [c.fingerprint.year_arrays for c in candidates], member_story, stories)
    topic = _centroid_cosines(fp.topic_arrays, [c.fingerprint.topic_arrays for c in candidates],
                              member_story, stories)
    if fp.names:
        names = _centroid_cosines(fp.name_arrays, [c.fingerprint.name_arrays for c in candidates],
                                  member_story, stories)
        topic = (1 - NAME_SHARE) * topic + NAME_SHARE * names
    return story_ids, blend_long(topic + YEAR_SHARE * years, embedded)


def _cached_scores(fp: Fingerprint, candidates: Sequence[Candidate], story_ids: StoryArray,
                   *, centroids: Centroids, query_years: Bag | None,
                   embedded: WeightArray | None) -> WeightArray:
    """`story_scores` of a full text from the stories' summed bags as `centroids` keeps
    them (`tidings.cluster.centroids`): the same scores to the last bit."""
    members: dict[int, list[Fingerprint]] = {}
    for c in candidates:
        members.setdefault(c.story_id, []).append(c.fingerprint)
    sums = centroids.of([(s, tuple(members[s])) for s in story_ids.tolist()])
    years = np.zeros(len(sums)) if query_years is None else cosines(
        query_years, story_ids, [s.years for s in sums])
    topic = cosines(fp.topic_arrays, story_ids, [s.topic for s in sums])
    if fp.names:
        names = cosines(fp.name_arrays, story_ids, [s.names for s in sums])
        topic = (1 - NAME_SHARE) * topic + NAME_SHARE * names
    return blend_long(topic + YEAR_SHARE * years, embedded)


def _short_scores(fp: Fingerprint, candidates: Sequence[Candidate],
                  member_story: npt.NDArray[np.intp], stories: int) -> WeightArray:
    """A headline-only item's similarity to each story: to its centroid and to its closest
    article, SHORT_MEMBER_SHARE the latter (each part computed only when it counts)."""
    out = np.zeros(stories)
    if SHORT_MEMBER_SHARE < 1:
        out += (1 - SHORT_MEMBER_SHARE) * _short_similarity(fp, candidates, member_story,
                                                            stories)
    if SHORT_MEMBER_SHARE > 0:
        each = np.arange(len(candidates), dtype=np.intp)
        best = np.full(stories, -np.inf)
        np.maximum.at(best, member_story,
                      _short_similarity(fp, candidates, each, len(candidates)))
        out += SHORT_MEMBER_SHARE * best
    return out


def _short_similarity(fp: Fingerprint, candidates: Sequence[Candidate],
                      group: npt.NDArray[np.intp], groups: int) -> WeightArray:
    """Short-text similarity of `fp` to the sum of each group's articles."""
    topic, shared = _centroid_overlap(fp.topic_arrays,
                                      [c.fingerprint.topic_arrays for c in candidates],
                                      group, groups)
    embedded = _embedding_cosines(fp, candidates, group, groups)
    return blend_short(corroborated(topic, shared, embedded), embedded)


def corroborated(topic: WeightArray, shared: npt.NDArray[np.int64],
                 embedded: WeightArray | None) -> WeightArray:
    """A headline-only item's topic cosines, kept where they rest on enough shared words or
    the lead embeddings agree (see SHORT_MIN_SHARED); without embeddings, all kept."""
    if embedded is None:
        return topic
    keep = (shared >= SHORT_MIN_SHARED) | (embedded >= SHORT_CORROBORATION)
    return np.where(keep, topic, 0.0)


def blend_short(topic: WeightArray, embedded: WeightArray | None) -> WeightArray:
    """A headline-only item's similarity from its topic-word and lead-embedding cosines."""
    if embedded is None:
        return SHORT_SCALE * topic
    return SHORT_SCALE * ((1 - SHORT_EMBED_SHARE) * topic + SHORT_EMBED_SHARE * embedded)


def blend_long(bags: WeightArray, embedded: WeightArray | None) -> WeightArray:
    """A full text's similarity from its bags' similarity and its lead-embedding cosine."""
    if embedded is None:
        return bags
    return (1 - EMBED_SHARE) * bags + EMBED_SHARE * embedded


def _embedding_cosines(fp: Fingerprint, candidates: Sequence[Candidate],
                       member_story: npt.NDArray[np.intp], stories: int) -> WeightArray | None:
    """Cosine of `fp`'s lead embedding with each story's mean embedding; None without one."""
    if not fp.embedding:
        return None
    dim = len(fp.embedding)
    vectors = np.zeros((len(candidates), dim), dtype=np.float32)
    for row, c in enumerate(candidates):
        if len(c.fingerprint.embedding_array) == dim:
            vectors[row] = c.fingerprint.embedding_array
    sums = np.zeros((stories, dim), dtype=np.float64)
    np.add.at(sums, member_story, vectors)
    norms = np.linalg.norm(sums, axis=1)
    dots = sums @ fp.embedding_array.astype(np.float64)
    return np.divide(dots, norms, out=np.zeros(stories), where=norms > 0)


def _centroid_cosines(query: tuple[IdArray, WeightArray],
                      members: Sequence[tuple[IdArray, WeightArray]],
                      member_story: npt.NDArray[np.intp], stories: int) -> WeightArray:
    """Cosine of `query` with the sum of each story's member vectors (all sparse)."""
    return _centroid_overlap(query, members, member_story, stories)[0]


def _centroid_overlap(query: Bag, members: Sequence[Bag], member_story: npt.NDArray[np.intp],
                      stories: int) -> tuple[WeightArray, npt.NDArray[np.int64]]:
    """`_centroid_cosines`, and how many of `query`'s terms each story's articles use."""
    sizes = [len(ids) for ids, _ in members]
    if not query[0].size or not sum(sizes):
        return np.zeros(stories), np.zeros(stories, dtype=np.int64)
    ids = np.concatenate([ids for ids, _ in members])
    weights = np.concatenate([w for _, w in members])
    story = np.repeat(member_story.astype(np.uint64), sizes)
    # One key per (story, term): summing weights per key gives every centroid at once.
    keys, where = np.unique((story << np.uint64(32)) | ids, return_inverse=True)
    summed = np.asarray(np.bincount(where, weights), dtype=np.float64)
    key_story = (keys >> np.uint64(32)).astype(np.intp)
    return overlap(query, key_story, keys & TERM_MASK, summed, stories)
