"""Who complements whom, and why.

A pair is worth what each seeks of the other's offers. Networking pays most when it works both
ways (a win-win: both leave with something), so a mutual match is multiplied by `Weights.mutual`
and is worth clearly more than two one-way matches with nobody in common. Two people without a
common language are worth nothing to each other. Every value comes with its reasons as data
(`Reason(seeker, offerer, tag)`), so a page can say it in any language.

People are numbered 0..n-1 in the order of the profiles given; tags are the event's tag keys.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

# Unicode categories dropped before comparing tag texts: accents and other combining marks
# (Swedish å/ä/ö, Hebrew niqqud), invisible direction marks (Cf), spaces and punctuation
# (so "event-venues", "Event Venues" and "eventvenues" are one text).
_IGNORED_CATEGORIES = ("M", "Cf", "Z", "P")


def fold(text: str) -> str:
    """The form tag texts are compared in: no case, accents, spaces or punctuation."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = (ch for ch in decomposed if not unicodedata.category(ch).startswith(_IGNORED_CATEGORIES))
    return unicodedata.normalize("NFC", "".join(kept))


@dataclass(frozen=True)
class Tag:
    """One thing people offer or seek: a stable key, a label per language and synonyms."""

    key: str
    labels: Mapping[str, str] = field(default_factory=dict)
    synonyms: tuple[str, ...] = ()


class TagCatalog:
    """An event's tags, and the matching of free text onto them.

    Text matches a tag when it equals, ignoring case, accents, spaces and punctuation, the tag's
    key, one of its labels (in any language) or one of its synonyms. Should two tags claim the same
    text, a key beats a label and a label beats a synonym; within a kind the earlier tag wins.
    """

    def __init__(self, tags: Iterable[Tag]) -> None:
        self._tags: dict[str, Tag] = {}
        for tag in tags:
            if not fold(tag.key):
                raise ValueError(f"Tag key {tag.key!r} is empty.")
            if tag.key in self._tags:
                raise ValueError(f"Tag key {tag.key!r} appears twice in the catalog.")
            self._tags[tag.key] = tag
        self._by_text: dict[str, str] = {}
        self._seen: dict[str, str | None] = {}
        texts_by_kind = (
            lambda t: [t.key],
            lambda t: list(t.labels.values()),
            lambda t: list(t.synonyms),
        )
        for texts in texts_by_kind:
            for tag in self._tags.values():
                for text in texts(tag):
                    folded = fold(text)
                    if folded:
                        self._by_text.setdefault(folded, tag.key)

    @classmethod
    def from_event(cls, tags: Iterable[Mapping]) -> TagCatalog:
        """The catalog from an event file's "tags" list ({"key", "labels", "synonyms"})."""
        return cls(
            Tag(
                key=str(t["key"]),
                labels={str(k): str(v) for k, v in (t.get("labels") or {}).items()},
                synonyms=tuple(str(s) for s in t.get("synonyms") or ()),
            )
            for t in tags
        )

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(self._tags)

    def __contains__(self, key: object) -> bool:
        return key in self._tags

    def __len__(self) -> int:
        return len(self._tags)

    def normalise(self, text: str) -> str | None:
        """The key of the tag `text` names (key, label in any language, synonym), else None."""
        # The same few texts come back for every attendee: fold each once.
        if text not in self._seen:
            self._seen[text] = self._by_text.get(fold(text))
        return self._seen[text]

    def suggest(self, text: str, n: int = 3) -> list[str]:
        """Up to n tag keys whose key, labels or synonyms look most like `text`, best first.

        For "unknown tag" messages ("did you mean ...?"); empty when nothing is close.
        """
        folded = fold(text)
        if not folded or n <= 0:
            return []
        close = difflib.get_close_matches(folded, list(self._by_text), n=4 * n, cutoff=0.6)
        keys: list[str] = []
        for match in close:
            key = self._by_text[match]
            if key not in keys:
                keys.append(key)
        return keys[:n]

    def label(self, key: str, language: str = "en") -> str:
        """The tag's label in `language`, else in English, else its key."""
        tag = self._tags.get(key)
        if tag is None:
            return key
        return tag.labels.get(language) or tag.labels.get("en") or tag.key


@dataclass(frozen=True)
class Profile:
    """What one person offers and seeks (tag keys), and the languages they speak.

    No languages means "not stated": such a person is assumed to share a language with everyone,
    so a missing field never silently zeroes their matches.
    """

    offers: frozenset[str] = frozenset()
    seeks: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Weights:
    """How the parts of a pair's value are weighed.

    value(A, B) = one_way * (|A.seeks & B.offers| + |B.seeks & A.offers|), multiplied by `mutual`
    when both parts are non-zero. With the defaults a win-win with one tag each way is worth
    2 * 2 = 4, twice the 1 + 1 that two unrelated one-way matches bring. mutual=1 turns the
    bonus off; below 1 would make win-wins worth less than one-way matches, which is refused.
    """

    one_way: float = 1.0
    mutual: float = 2.0

    def __post_init__(self) -> None:
        if self.one_way < 0:
            raise ValueError("The one-way weight cannot be negative.")
        if self.mutual < 1:
            raise ValueError("The mutual (win-win) weight must be at least 1.")


DEFAULT_WEIGHTS = Weights()


@dataclass(frozen=True)
class Reason:
    """`seeker` seeks `tag`, which `offerer` offers."""

    seeker: int
    offerer: int
    tag: str

    def describe(self, names: Sequence[str], catalog: TagCatalog, language: str = "en") -> str:
        """In English words, e.g. "Lena seeks event venues, which Avi offers"."""
        label = catalog.label(self.tag, language)
        return f"{names[self.seeker]} seeks {label}, which {names[self.offerer]} offers"


def describe_reasons(
    reasons: Sequence[Reason], names: Sequence[str], catalog: TagCatalog, language: str = "en"
) -> list[str]:
    """Reasons in English, one sentence per seeker and offerer, their tags joined with "and"."""
    by_direction: dict[tuple[int, int], list[str]] = {}
    for reason in reasons:
        labels = by_direction.setdefault((reason.seeker, reason.offerer), [])
        labels.append(catalog.label(reason.tag, language))
    sentences = []
    for (seeker, offerer), labels in by_direction.items():
        listed = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
        sentences.append(f"{names[seeker]} seeks {listed}, which {names[offerer]} offers")
    return sentences


@dataclass(frozen=True)
class PairValue:
    """The value of one pair (a < b) and why."""

    a: int
    b: int
    value: float
    reasons: tuple[Reason, ...]
    mutual: bool  # each seeks something the other offers
    boost: float = 0.0  # added by the organiser
    blocked: bool = False  # the organiser keeps these two apart; value 0
    common_language: bool = True

    def describe(self, names: Sequence[str], catalog: TagCatalog, language: str = "en") -> str:
        """One line of English for the CLI, e.g. "Lena seeks event venues, which Avi offers"."""
        if self.blocked:
            return f"{names[self.a]} and {names[self.b]} are kept apart by the organiser"
        parts = describe_reasons(self.reasons, names, catalog, language)
        text = "; ".join(parts)
        if self.mutual:
            text += " (win-win)"
        if not self.common_language and parts:
            text += f" (but {names[self.a]} and {names[self.b]} share no language)"
        if self.boost:
            text = "; ".join(filter(None, [text, f"boosted by the organiser (+{self.boost:g})"]))
        return text


def _incidence(rows: int, columns: int, members: Iterable[list[int]]) -> np.ndarray:
    """A rows x columns 0/1 matrix with ones at each row's listed columns."""
    matrix = np.zeros((rows, columns), dtype=np.int32)
    pairs = [(r, c) for r, cs in enumerate(members) for c in cs]
    if pairs:
        r, c = zip(*pairs, strict=True)
        matrix[list(r), list(c)] = 1
    return matrix


def _pair(a: int, b: int) -> tuple[int, int]:
    if a == b:
        raise ValueError(f"A pair needs two different people, got {a} twice.")
    return (a, b) if a < b else (b, a)


class PairScores:
    """The values of all pairs of people, computed at once.

    The "who seeks what whom offers" counts are one matrix product of the people x tags seek and
    offer matrices (an inverted index in matrix form): 2,000 people x 40 tags take well under a
    second. Reasons are derived per pair on demand, for the pairs a page shows.

    A boost adds its value to the pair, even without a common language (the organiser knows
    best); a block makes the pair worth 0 and is meant to be kept apart (see `blocked`).
    """

    def __init__(
        self,
        profiles: Sequence[Profile],
        weights: Weights = DEFAULT_WEIGHTS,
        boosts: Mapping[tuple[int, int], float] | None = None,
        blocks: Iterable[tuple[int, int]] = (),
    ) -> None:
        self.profiles = tuple(profiles)
        self.weights = weights
        n = len(self.profiles)
        self.boosts = {_pair(a, b): float(v) for (a, b), v in (boosts or {}).items()}
        self.blocked = frozenset(_pair(a, b) for a, b in blocks)
        for a, b in [*self.boosts, *self.blocked]:
            if not (0 <= a < b < n):
                raise ValueError(f"Pair ({a}, {b}) names a person who does not exist.")

        tags = sorted({t for p in self.profiles for t in p.offers | p.seeks})
        column = {t: k for k, t in enumerate(tags)}
        seeks = _incidence(n, len(tags), ([column[t] for t in p.seeks] for p in self.profiles))
        offers = _incidence(n, len(tags), ([column[t] for t in p.offers] for p in self.profiles))
        # helps[a, b]: how many of a's seeks b offers.
        helps = seeks @ offers.T

        spoken = [p.languages for p in self.profiles]
        languages = {lang: k for k, lang in enumerate(sorted(set().union(*spoken)))}
        speaks = _incidence(n, len(languages), ([languages[x] for x in ls] for ls in spoken))
        unstated = speaks.sum(axis=1) == 0
        self._talk = ((speaks @ speaks.T) > 0) | unstated[:, None] | unstated[None, :]

        both = (helps > 0) & (helps.T > 0)
        value = weights.one_way * (helps + helps.T).astype(np.float64)
        value[both] *= weights.mutual
        value[~self._talk] = 0.0
        np.fill_diagonal(value, 0.0)
        for (a, b), boost in self.boosts.items():
            value[a, b] += boost
            value[b, a] += boost
        for a, b in self.blocked:
            value[a, b] = value[b, a] = 0.0
        self.matrix = value  # symmetric, people x people; read-only by convention

    @property
    def people(self) -> int:
        return len(self.profiles)

    def value(self, a: int, b: int) -> float:
        """What a and b are worth to each other (0 for the same person)."""
        return float(self.matrix[a, b])

    def seeks_from(self, seeker: int, offerer: int) -> tuple[str, ...]:
        """Tags `seeker` seeks that `offerer` offers, sorted."""
        return tuple(sorted(self.profiles[seeker].seeks & self.profiles[offerer].offers))

    def reasons(self, a: int, b: int) -> tuple[Reason, ...]:
        """Why a and b complement each other: a's seeks that b offers, then b's that a offers."""
        return tuple(Reason(a, b, t) for t in self.seeks_from(a, b)) + tuple(
            Reason(b, a, t) for t in self.seeks_from(b, a)
        )

    def common_language(self, a: int, b: int) -> bool:
        return bool(self._talk[a, b])

    def is_blocked(self, a: int, b: int) -> bool:
        return _pair(a, b) in self.blocked

    def pair(self, a: int, b: int) -> PairValue:
        """The pair's value with its reasons, as data."""
        a, b = _pair(a, b)
        return PairValue(
            a=a,
            b=b,
            value=self.value(a, b),
            reasons=self.reasons(a, b),
            mutual=bool(self.seeks_from(a, b) and self.seeks_from(b, a)),
            boost=self.boosts.get((a, b), 0.0),
            blocked=(a, b) in self.blocked,
            common_language=self.common_language(a, b),
        )

    def weighted_pairs(self) -> tuple[tuple[int, int, float], ...]:
        """Every pair with a positive value as (i, j, value), i < j: Problem.weights."""
        rows, cols = np.nonzero(np.triu(self.matrix, k=1) > 0)
        values = self.matrix[rows, cols]
        return tuple(zip(rows.tolist(), cols.tolist(), values.tolist(), strict=True))


def score_pairs(
    profiles: Sequence[Profile],
    weights: Weights = DEFAULT_WEIGHTS,
    boosts: Mapping[tuple[int, int], float] | None = None,
    blocks: Iterable[tuple[int, int]] = (),
) -> PairScores:
    """All pair values of these people: see PairScores."""
    return PairScores(profiles, weights, boosts, blocks)


def tablemates(
    person: int, rounds: Sequence[Sequence[Sequence[int]]]
) -> dict[int, tuple[int, ...]]:
    """Who sits with `person` in any round, with the rounds (0-based) they share a table in."""
    shared: dict[int, list[int]] = {}
    for r, tables in enumerate(rounds):
        for table in tables:
            if person in table:
                for other in table:
                    if other != person:
                        shared.setdefault(other, []).append(r)
    return {other: tuple(rs) for other, rs in shared.items()}


@dataclass(frozen=True)
class Introduction:
    """`introducer` could introduce a to b (a < b): they complement each other, for `reasons`,
    both sit with the introducer in some round, and the plan never seats them together."""

    introducer: int
    a: int
    b: int
    reasons: tuple[Reason, ...]

    def describe(self, names: Sequence[str], catalog: TagCatalog, language: str = "en") -> str:
        """E.g. "Introduce Lena to Avi: Lena seeks event venues, which Avi offers"."""
        why = "; ".join(describe_reasons(self.reasons, names, catalog, language))
        return f"Introduce {names[self.a]} to {names[self.b]}: {why}"


def introductions(
    person: int,
    rounds: Sequence[Sequence[Sequence[int]]],
    scores: PairScores,
    hidden: Iterable[int] = (),
) -> tuple[Introduction, ...]:
    """Introductions `person` could make after the plan in `rounds` (rounds[r][t] -> people).

    Networking's third win: P knows X and Y from P's tables (any rounds), X seeks what Y offers
    (or the other way round), and the plan never seats X and Y together, so without P they might
    not meet. Pairs without a common language or blocked by the organiser are left out, as are
    the `hidden` people (e.g. those who did not consent to appear on other people's sheets).
    Sorted by the pair's value, highest first.
    """
    skip = set(hidden) | {person}
    known = sorted(set(tablemates(person, rounds)) - skip)
    found = []
    for k, x in enumerate(known):
        met = tablemates(x, rounds)
        for y in known[k + 1 :]:
            if y in met or scores.is_blocked(x, y) or not scores.common_language(x, y):
                continue
            reasons = scores.reasons(x, y)
            if reasons:
                found.append(Introduction(person, x, y, reasons))
    found.sort(key=lambda i: (-scores.value(i.a, i.b), i.a, i.b))
    return tuple(found)
