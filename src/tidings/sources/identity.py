"""Entry identity: which entries of a feed are "the same item" across refreshes.

`entry_key` prefers, in order:
1. the feed's own id (`guid:` — RSS guid, Atom id, JSON Feed id), which the publisher promises
   is stable;
2. the canonical link (`url:` — tracking parameters, fragment and case noise removed);
3. a hash of title and content (`hash:`) for entries with neither.

Feeds that rewrite guids (a CMS migration, a `?p=123` guid turning into a permalink) would
otherwise re-deliver every item. The store therefore also treats an entry whose guid is new
but whose canonical link AND title are already stored as the same item (skipped). The link
alone is not enough: some feeds point every item at their home page. Reordering is harmless
because identity never depends on position. Keys are per source: two feeds may reuse a guid.
"""

from __future__ import annotations

import hashlib

from tidings.extract.urls import canonical_url
from tidings.models import Entry


def content_hash(entry: Entry) -> str:
    """sha256 over title and content: the identity of an entry with no id and no link."""
    body = entry.content_html or entry.summary
    return hashlib.sha256(f"{entry.title.strip()}\n{body.strip()}".encode()).hexdigest()


def entry_key(entry: Entry) -> str:
    """"guid:<guid>", else "url:<canonical url>", else "hash:<sha256 of title+content>"."""
    guid = entry.guid.strip()
    if guid:
        return f"guid:{guid}"
    if entry.url.strip():
        return f"url:{canonical_url(entry.url)}"
    return f"hash:{content_hash(entry)}"
