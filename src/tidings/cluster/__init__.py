"""Group coverage of one event from many outlets into one story.

`fingerprint` summarises an article (MinHash + weighted topic and name bags, JSON-storable),
`is_near_duplicate` spots syndicated copies, `assign_story` picks the story a new article joins
from recent candidates, `split_story` regroups one story's recent articles when they turn out
to be two events, and `StreamClusterer` runs the same steps over a stream in memory.
"""

from __future__ import annotations

from tidings.cluster.assign import (
    JOIN_THRESHOLD,
    REPAIR_JOIN_THRESHOLD,
    STORY_WINDOW,
    Candidate,
    assign_story,
    close_stories,
)
from tidings.cluster.fingerprint import (
    Fingerprint,
    FingerprintError,
    fingerprint,
    is_near_duplicate,
    lead,
)
from tidings.cluster.index import index_keys
from tidings.cluster.repair import MERGE_THRESHOLD, SPLIT_THRESHOLD, linked, split_story
from tidings.cluster.stream import StreamClusterer

__all__ = [
    "JOIN_THRESHOLD",
    "MERGE_THRESHOLD",
    "REPAIR_JOIN_THRESHOLD",
    "SPLIT_THRESHOLD",
    "STORY_WINDOW",
    "Candidate",
    "Fingerprint",
    "FingerprintError",
    "StreamClusterer",
    "assign_story",
    "close_stories",
    "fingerprint",
    "index_keys",
    "is_near_duplicate",
    "lead",
    "linked",
    "split_story",
]
