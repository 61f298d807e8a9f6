"""Duplicate detection: the same problem at the same place within a short time.

Text alone is not enough: five residents reporting one broken street light write five
different sentences, and two buildings with a gas smell two days apart write the same one.
So a later appeal is linked to an earlier one only when all three agree:

- time: within `window` (72 hours; 12 hours when urgent, because an emergency that recurs
  after half a day is a new emergency);
- place: the addresses do not contradict (another building, unit entrance, road or estate)
  and share enough of the address (places.place_similarity);
- problem: the same predicted subcategory and some shared wording (cosine of character n-gram
  TF-IDF), or overlapping top-three subcategories and clearly shared wording; a much higher
  bar when either place is vague (no estate, building or road).

It links to the first report of the cluster. Candidates come from an index by subcategory and
place (estate, road) over a sliding time window, so each appeal is compared with a handful of
recent ones, not with everything seen so far.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from dataclasses import dataclass

from .places import Place, place_similarity

WINDOW = dt.timedelta(hours=72)
URGENT_WINDOW = dt.timedelta(hours=12)
MIN_PLACE = 0.6
# Cosine of character n-gram TF-IDF over a vocabulary of tens of thousands of n-grams: two
# residents describing one incident in their own words score about 0.05-0.2, unrelated texts
# about 0. So the text is a sanity check next to the predicted subcategory, not the judge.
MIN_TEXT_SAME_SUBCATEGORY = 0.04
MIN_TEXT_RELATED_SUBCATEGORY = 0.2
MIN_TEXT_VAGUE_PLACE = 0.3


@dataclass
class Entry:
    key: str
    received_at: dt.datetime | None
    place: Place
    vector: dict[int, float]  # L2-normalised character n-gram TF-IDF, column → weight
    subcategory: str  # the model's first choice
    subcategories: frozenset[str]  # its first three choices
    urgent: bool
    root: str


def cosine(a: dict[int, float], b: dict[int, float]) -> float:
    """Dot product of two normalised sparse vectors, over the columns they share."""
    return sum(a[column] * b[column] for column in a.keys() & b.keys())


def place_keys(place: Place) -> list[str]:
    """The index keys of a place: its estate and each road; "?" for a place too vague to say."""
    keys = [f"e:{place.estate}"] if place.estate else []
    keys.extend(f"r:{road}" for road in sorted(place.roads))
    return keys or ["?"]


class DuplicateFinder:
    """Feed appeals in the order received; `add` answers which earlier one each duplicates.

    Entries are indexed by (subcategory, place key): an appeal is compared only with recent
    appeals of an overlapping subcategory at the same estate or road (or with a vague place),
    and old entries fall off the front of each bucket as time moves on."""

    def __init__(self, *, window: dt.timedelta = WINDOW, urgent_window: dt.timedelta = URGENT_WINDOW):
        self.window = window
        self.urgent_window = urgent_window
        self.horizon = max(window, urgent_window)
        self._buckets: dict[tuple[str, str], deque[Entry]] = {}

    def _within(self, earlier: Entry, later: Entry) -> bool:
        if earlier.received_at is None or later.received_at is None:
            return True
        gap = later.received_at - earlier.received_at
        limit = self.urgent_window if (earlier.urgent and later.urgent) else self.window
        return dt.timedelta(0) <= gap <= limit

    def _bucket(self, key: tuple[str, str], now: dt.datetime | None) -> deque[Entry] | None:
        bucket = self._buckets.get(key)
        if bucket is not None and now is not None:
            oldest = now - self.horizon
            while bucket and bucket[0].received_at is not None and bucket[0].received_at < oldest:
                bucket.popleft()
        return bucket

    def find(self, entry: Entry) -> Entry | None:
        """The earlier entry this one most likely duplicates, or None."""
        keys = place_keys(entry.place)
        if "?" not in keys:
            keys.append("?")
        specific = entry.place.is_specific
        seen: set[int] = set()
        best: tuple[float, Entry] | None = None
        for code in entry.subcategories:
            for place_key in keys:
                for candidate in self._bucket((code, place_key), entry.received_at) or ():
                    if id(candidate) in seen:
                        continue
                    seen.add(id(candidate))
                    if not self._within(candidate, entry):
                        continue
                    place = place_similarity(candidate.place, entry.place)
                    if place < MIN_PLACE:
                        continue
                    text = cosine(candidate.vector, entry.vector)
                    same = candidate.subcategory == entry.subcategory
                    if specific and candidate.place.is_specific:
                        needed = MIN_TEXT_SAME_SUBCATEGORY if same else MIN_TEXT_RELATED_SUBCATEGORY
                    else:
                        needed = MIN_TEXT_VAGUE_PLACE if same else 2.0  # vague place: same problem only
                    if text < needed:
                        continue
                    score = text + place
                    if best is None or score > best[0]:
                        best = (score, candidate)
        return best[1] if best else None

    def add(self, entry: Entry) -> str | None:
        """Index the entry; return the key of the first report it duplicates, or None."""
        match = self.find(entry)
        if match is not None:
            entry.root = match.root
        for code in entry.subcategories:
            for place_key in place_keys(entry.place):
                self._buckets.setdefault((code, place_key), deque()).append(entry)
        return match.root if match is not None else None


def text_vectors(model, texts: list[str]) -> list[dict[int, float]]:
    """L2-normalised character n-gram TF-IDF vectors of the texts (the model's own character
    vocabulary; TfidfVectorizer normalises each row, so a dot product is the cosine)."""
    return row_dicts(model.featurizer.transform_with_chars(texts)[1])


def row_dicts(matrix) -> list[dict[int, float]]:
    """The rows of a CSR matrix as {column: value} dicts."""
    indptr, indices, data = matrix.indptr, matrix.indices.tolist(), matrix.data.tolist()
    return [
        dict(zip(indices[indptr[row] : indptr[row + 1]], data[indptr[row] : indptr[row + 1]], strict=True))
        for row in range(matrix.shape[0])
    ]
