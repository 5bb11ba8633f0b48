"""Find pairs of texts that share long passages, from Vietnamese syllable shingles. Pure: no Flask, no database.

How it works, for n texts of m syllables each (5,000 x 1,500 in a few seconds on two cores; see bench/similarity.py):

1. Tokens. Each text is split on whitespace; every piece is NFC-normalised, case-folded and stripped of punctuation
   and symbols at its edges ("“Bác," -> "bác") and of invisible characters (zero-width spaces, soft hyphens) anywhere
   in it; pieces left empty (a dash, an emoji) are dropped. Diacritics are
   kept: "Hồ" and "Ho" are different syllables, as they are different words in Vietnamese. Each syllable keeps the
   index of its piece in `text.split()`, so a passage can be shown from the original text.
2. Shingles. Every run of k consecutive syllables (k = 8 by default, at most `min_words`) is hashed to 64 bits: the
   syllables are numbered through a dict, each number is mixed (splitmix64) and a polynomial hash is rolled over all
   texts at once with numpy.
3. Shared shingles. The (hash, text, position) records are sorted by hash; a hash found in two or more texts links
   them. A hash found in more than `max_df` texts is ignored: a phrase that many writers use (a quotation of Bác Hồ, a
   slogan, the title of a directive) is common property, not a sign that two writers copied each other. The default
   is 10% of the texts, at least 10 and at most 50. Pairs are formed only from the texts sharing each hash, so the
   work grows with the number of shared shingles, never with n x n.
4. Passages. For a pair, matching shingles on the same diagonal (same offset between the two texts) at consecutive
   positions form a run; runs on one diagonal are joined when everything between them is identical in both texts (a
   common quotation inside a copied passage does not cut it in two). A passage is kept when its shared shingles that
   were not ignored would, end to end, make a passage of at least `min_words` syllables (count + k - 1): a common
   quotation with a few words either side is not enough, however long the quotation.
5. Similarity = shared syllables / syllables of the shorter text, where shared syllables are those covered by the
   kept passages (counted on each side, the smaller of the two). This is containment: a short entry copied whole
   into a long one scores 1.0, two identical texts score 1.0, and two long texts sharing one paragraph score what
   that paragraph is of the shorter one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

DEFAULT_K = 8
DEFAULT_MIN_WORDS = 25

# Characters that show nothing (zero-width spaces and joiners, word joiner, BOM, soft hyphen): a writer cannot hide
# a copy by slipping them into words. The word count ignores the same ones.
_INVISIBLE_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_BASE = np.uint64(0x100000001B3)  # any odd 64-bit multiplier; this one is FNV's prime
_GOLDEN = 0x9E3779B97F4A7C15


@dataclass(frozen=True)
class Passage:
    """A shared passage: syllable offsets into each text's `text.split()` (start inclusive, end exclusive) and its
    length in syllables (pieces that were only punctuation do not count)."""

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    words: int


@dataclass(frozen=True)
class Match:
    """Two texts (keys, a < b) sharing the passages; similarity in 0..1 (see the module's docstring)."""

    a: Hashable
    b: Hashable
    similarity: float
    shared_words: int
    passages: list[Passage] = field(default_factory=list)


# --- tokens ---------------------------------------------------------------------------------------------------

def normalise_syllable(piece: str) -> str:
    """One whitespace-separated piece as the syllable it counts as: NFC, case-folded, no punctuation at its edges."""
    text = unicodedata.normalize("NFC", unicodedata.normalize("NFC", piece).casefold())
    if _INVISIBLE_RE.search(text):
        text = _INVISIBLE_RE.sub("", text)
    start, end = 0, len(text)
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return text[start:end]


def tokenise(text: str) -> tuple[list[str], list[int]]:
    """(syllables, index of each syllable's piece in text.split())."""
    syllables: list[str] = []
    positions: list[int] = []
    for index, piece in enumerate(text.split()):
        syllable = normalise_syllable(piece)
        if syllable:
            syllables.append(syllable)
            positions.append(index)
    return syllables, positions


def default_max_df(n_docs: int) -> int:
    """Texts a shingle may appear in before it counts as a common phrase: 10% of them, at least 10, at most 50."""
    return max(10, min(50, n_docs // 10))


class _Syllables(dict):
    """Raw piece -> syllable number (-1 for a piece that is only punctuation); computes what it has not seen."""

    def __init__(self) -> None:
        super().__init__()
        self.numbers: dict[str, int] = {}

    def __missing__(self, piece: str) -> int:
        syllable = normalise_syllable(piece)
        value = self.numbers.setdefault(syllable, len(self.numbers)) if syllable else -1
        self[piece] = value
        return value


class _Corpus:
    """All texts as one array of syllable numbers, with each text's bounds and its pieces' indices."""

    def __init__(self, texts: Sequence[str]) -> None:
        lookup = _Syllables()
        ids: list[np.ndarray] = []
        positions: list[np.ndarray] = []
        for text in texts:
            pieces = text.split()
            row = np.fromiter(map(lookup.__getitem__, pieces), dtype=np.int64, count=len(pieces))
            kept = np.flatnonzero(row >= 0)
            positions.append(kept)
            ids.append(row[kept])
        lengths = np.array([len(row) for row in ids], dtype=np.int64)
        self.ids = np.concatenate(ids) if ids else np.zeros(0, dtype=np.int64)
        self.starts = np.concatenate(([0], np.cumsum(lengths))).astype(np.int64)
        self.doc_of = np.repeat(np.arange(len(ids), dtype=np.int64), lengths)
        self.positions = positions  # per text: piece index of each syllable

    def length(self, doc: int) -> int:
        return int(self.starts[doc + 1] - self.starts[doc])

    def same_span(self, a: int, a_from: int, b: int, b_from: int, count: int) -> bool:
        """Whether `count` syllables from a_from in text a equal those from b_from in text b."""
        sa, sb = int(self.starts[a]) + a_from, int(self.starts[b]) + b_from
        return bool(np.array_equal(self.ids[sa:sa + count], self.ids[sb:sb + count]))


def _mix(values: np.ndarray) -> np.ndarray:
    """splitmix64 of each value: spreads small syllable numbers over 64 bits before hashing."""
    z = values.astype(np.uint64) + np.uint64(_GOLDEN)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def _shingles(corpus: _Corpus, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(hash, text, position in the text's syllables) of every k-syllable window that stays inside one text."""
    total = len(corpus.ids)
    if total < k:
        empty = np.zeros(0, dtype=np.int64)
        return empty.astype(np.uint64), empty, empty
    values = _mix(corpus.ids)
    windows = total - k + 1
    hashes = values[:windows].copy()
    for j in range(1, k):
        hashes *= _BASE
        hashes += values[j:windows + j]
    starts = np.arange(windows, dtype=np.int64)
    doc = corpus.doc_of[:windows]
    inside = starts + k <= corpus.starts[doc + 1]
    return hashes[inside], doc[inside], (starts - corpus.starts[doc])[inside]


def _repeated(hashes: np.ndarray) -> np.ndarray:
    """Which records' hash occurs more than once: found with a plain sort of the hashes, which is much cheaper
    than sorting every record, so only the (few) shared records are sorted afterwards."""
    ordered = np.sort(hashes)
    twice = ordered[1:][ordered[1:] == ordered[:-1]]
    if len(twice) == 0:
        return np.zeros(len(hashes), dtype=bool)
    twice = np.unique(twice)
    found = np.searchsorted(twice, hashes)
    found[found == len(twice)] = 0
    return twice[found] == hashes


def _record_pairs(group_starts: np.ndarray, group_sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every (i, j), i < j, of record indices inside the same group (groups are consecutive index ranges)."""
    left: list[np.ndarray] = []
    right: list[np.ndarray] = []
    for size in np.unique(group_sizes):
        firsts = group_starts[group_sizes == size]
        i, j = np.triu_indices(int(size), k=1)
        left.append((firsts[:, None] + i[None, :]).ravel())
        right.append((firsts[:, None] + j[None, :]).ravel())
    if not left:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    return np.concatenate(left), np.concatenate(right)


def _covered(intervals: list[tuple[int, int]]) -> int:
    """Syllables covered by a union of [start, end) intervals."""
    total, reach = 0, None
    for start, end in sorted(intervals):
        if reach is None or start >= reach:
            total += end - start
            reach = end
        elif end > reach:
            total += end - reach
            reach = end
    return total


def find_similar(texts: Mapping[Hashable, str], min_words: int = DEFAULT_MIN_WORDS, *, k: int = DEFAULT_K,
                 max_df: int | None = None) -> list[Match]:
    """The pairs of texts sharing passages of at least `min_words` syllables, most similar first.

    `texts` maps a key (an entry id) to plain text; keys must be sortable, and each Match has a < b. `k` is the
    shingle length (lowered to `min_words` when that is smaller); `max_df` the number of texts a shingle may be in
    before it is ignored as a common phrase (default_max_df(len(texts)) when None). The same input always gives the
    same output.
    """
    if min_words < 1:
        raise ValueError("min_words must be at least 1")
    if k < 1:
        raise ValueError("k must be at least 1")
    keys = sorted(texts)
    if len(keys) < 2:
        return []
    k = min(k, min_words)
    max_df = default_max_df(len(keys)) if max_df is None else max_df
    if max_df < 2:
        return []
    corpus = _Corpus([texts[key] for key in keys])
    hashes, docs, positions = _shingles(corpus, k)
    if len(hashes) == 0:
        return []

    # 3. Shared shingles: sort by hash (stable, so each hash's records stay in text then position order).
    shared = _repeated(hashes)
    hashes, docs, positions = hashes[shared], docs[shared], positions[shared]
    if len(hashes) == 0:
        return []
    order = np.argsort(hashes, kind="stable")
    hashes, docs, positions = hashes[order], docs[order], positions[order]
    new_hash = np.empty(len(hashes), dtype=bool)
    new_hash[0] = True
    new_hash[1:] = hashes[1:] != hashes[:-1]
    group_starts = np.flatnonzero(new_hash)
    group_sizes = np.diff(np.append(group_starts, len(hashes)))
    new_doc = new_hash.copy()
    new_doc[1:] |= docs[1:] != docs[:-1]
    doc_counts = np.add.reduceat(new_doc.astype(np.int64), group_starts)
    # A phrase repeated over and over (by one text or many) is also ignored: it would cost pairs of records by the
    # square of its count and says nothing about copying.
    keep = (doc_counts >= 2) & (doc_counts <= max_df) & (group_sizes <= 4 * max_df)
    left, right = _record_pairs(group_starts[keep], group_sizes[keep])
    different = docs[left] != docs[right]
    left, right = left[different], right[different]
    if len(left) == 0:
        return []
    da, db, pa, pb = docs[left], docs[right], positions[left], positions[right]  # da < db: records sorted by text

    # Candidate pairs: a kept passage needs at least min_words - k + 1 shared shingles.
    n = len(keys)
    pair_key = da * n + db
    unique_keys, inverse, counts = np.unique(pair_key, return_inverse=True, return_counts=True)
    enough = (counts >= min_words - k + 1)[inverse]
    pair_key, pa, pb = pair_key[enough], pa[enough], pb[enough]
    if len(pair_key) == 0:
        return []

    # 4. Runs: same pair, same diagonal, consecutive positions.
    diagonal = pb - pa
    order = np.lexsort((pa, diagonal, pair_key))
    pair_key, diagonal, pa, pb = pair_key[order], diagonal[order], pa[order], pb[order]
    starts_run = np.ones(len(pa), dtype=bool)
    starts_run[1:] = (pair_key[1:] != pair_key[:-1]) | (diagonal[1:] != diagonal[:-1]) | (pa[1:] != pa[:-1] + 1)
    run_starts = np.flatnonzero(starts_run)
    run_ends = np.append(run_starts[1:], len(pa))  # exclusive
    run_key = pair_key[run_starts]
    run_diag = diagonal[run_starts]
    run_a = pa[run_starts]
    run_shingles = run_ends - run_starts

    matches: list[Match] = []
    i, runs = 0, len(run_starts)
    while i < runs:
        key = int(run_key[i])
        a, b = divmod(key, n)
        passages: list[Passage] = []
        while i < runs and int(run_key[i]) == key:
            diag = int(run_diag[i])
            first = int(run_a[i])
            last = first + int(run_shingles[i]) + k - 1  # exclusive, in syllables of a
            shingles = int(run_shingles[i])
            i += 1
            while i < runs and int(run_key[i]) == key and int(run_diag[i]) == diag:
                nxt = int(run_a[i])
                if nxt > last and not corpus.same_span(a, last, b, last + diag, nxt - last):
                    break
                shingles += int(run_shingles[i])
                last = max(last, nxt + int(run_shingles[i]) + k - 1)
                i += 1
            if shingles + k - 1 >= min_words:
                passages.append(_passage(corpus, a, b, first, last, diag))
        if passages:
            matches.append(_match(corpus, keys, a, b, passages))
    matches.sort(key=lambda m: (-m.similarity, -m.shared_words, m.a, m.b))
    return matches


def _passage(corpus: _Corpus, a: int, b: int, first: int, last: int, diag: int) -> Passage:
    pos_a, pos_b = corpus.positions[a], corpus.positions[b]
    return Passage(a_start=int(pos_a[first]), a_end=int(pos_a[last - 1]) + 1,
                   b_start=int(pos_b[first + diag]), b_end=int(pos_b[last - 1 + diag]) + 1, words=last - first)


def _match(corpus: _Corpus, keys: list, a: int, b: int, passages: list[Passage]) -> Match:
    # Coverage in syllables (not pieces): map the passages' piece bounds back to syllable counts on each side.
    def syllables(doc: int, spans: list[tuple[int, int]]) -> int:
        pos = corpus.positions[doc]
        return _covered([(int(np.searchsorted(pos, s)), int(np.searchsorted(pos, e))) for s, e in spans])

    shared = min(syllables(a, [(p.a_start, p.a_end) for p in passages]),
                 syllables(b, [(p.b_start, p.b_end) for p in passages]))
    shorter = min(corpus.length(a), corpus.length(b))
    similarity = min(1.0, shared / shorter) if shorter else 0.0
    passages.sort(key=lambda p: (p.a_start, p.b_start))
    return Match(a=keys[a], b=keys[b], similarity=round(similarity, 4), shared_words=shared, passages=passages)


def passage_text(text: str, start: int, end: int) -> str:
    """The pieces [start, end) of text.split(), joined by single spaces: how a stored passage is shown."""
    return " ".join(text.split()[start:end])
