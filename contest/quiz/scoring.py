"""Drawing an attempt's questions and scoring its answers, as pure functions (no database, no clock).

An attempt freezes its questions at start as [{"v": question_version_id, "o": "cabd"}, ...]: position = index + 1,
"o" the option keys in the order shown. Answers are the chosen keys of a position, sorted and joined ("ac").
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from typing import Any


class NotEnoughQuestions(ValueError):  # noqa: N818 (a domain condition, not a programming error)
    """The candidates cannot fill a quota (or the count) without repeating a question."""

    def __init__(self, topic: str | None, available: int, wanted: int) -> None:
        super().__init__(f"topic {topic!r}: {available} candidates for {wanted} questions")
        self.topic = topic
        self.available = available
        self.wanted = wanted


def draw_versions(rng: random.Random, candidates: Mapping[str, Sequence[int]], quotas: Mapping[str, int] | None,
                  count: int, *, shuffle_questions: bool = True) -> list[int]:
    """Question version ids for one attempt, without repeats.

    `candidates` maps a topic to the version ids that may be drawn for it. With `quotas` ({topic: n}) each topic
    gives exactly n; without, `count` come from all candidates together. Unshuffled, the questions keep the
    quotas' topic order and, within a topic, ascending id (the bank's order), so every member sees the same order.
    """
    if quotas:
        picked: list[tuple[int, int]] = []  # (topic order, version id)
        for order, (topic, wanted) in enumerate(quotas.items()):
            pool = sorted(set(candidates.get(topic, ())))
            if wanted > len(pool):
                raise NotEnoughQuestions(topic, len(pool), wanted)
            picked.extend((order, vid) for vid in rng.sample(pool, wanted))
        # A version listed under two topics would repeat; quotas are per topic, so a repeat is a bank error.
        if len({vid for _o, vid in picked}) != len(picked):
            raise ValueError("a question version is a candidate for two topics")
    else:
        pool = sorted({vid for ids in candidates.values() for vid in ids})
        if count > len(pool):
            raise NotEnoughQuestions(None, len(pool), count)
        picked = [(0, vid) for vid in rng.sample(pool, count)]
    if shuffle_questions:
        rng.shuffle(picked)
    else:
        picked.sort()
    return [vid for _order, vid in picked]


def arrange_options(rng: random.Random, versions: Sequence[int], option_keys: Mapping[int, str], *,
                    shuffle_options: bool = True) -> list[dict[str, Any]]:
    """The frozen question list: each drawn version with its option keys in the order shown."""
    out = []
    for vid in versions:
        keys = list(option_keys[vid])
        if shuffle_options:
            rng.shuffle(keys)
        out.append({"v": vid, "o": "".join(keys)})
    return out


def draw(rng: random.Random, candidates: Mapping[str, Sequence[int]], quotas: Mapping[str, int] | None, count: int,
         option_keys: Mapping[int, str], *, shuffle_questions: bool = True,
         shuffle_options: bool = True) -> list[dict[str, Any]]:
    """draw_versions, then arrange_options: the whole frozen question list of an attempt."""
    versions = draw_versions(rng, candidates, quotas, count, shuffle_questions=shuffle_questions)
    return arrange_options(rng, versions, option_keys, shuffle_options=shuffle_options)


# --- answers and scores -----------------------------------------------------------------------------------

def option_keys(options: Iterable[Mapping[str, Any]]) -> str:
    """The keys of a version's options in their stored order ("abcd")."""
    return "".join(str(o["key"]) for o in options)


def correct_keys(options: Iterable[Mapping[str, Any]]) -> str:
    """The keys of the correct options, sorted and joined: the form answers are stored in."""
    return "".join(sorted(str(o["key"]) for o in options if o.get("correct")))


def normalise_choices(keys: Iterable[str]) -> str:
    """Chosen keys as stored: distinct, sorted, joined ("ca" and "ac" are both "ac")."""
    return "".join(sorted(set(keys)))


def is_correct(chosen: str, correct: str) -> bool:
    """All or nothing: exactly the set of correct keys, no more and no fewer (single and multiple alike)."""
    return bool(correct) and normalise_choices(chosen) == correct


def score(questions: Sequence[Mapping[str, Any]], answers: Mapping[int, str], correct: Mapping[int, str]) -> int:
    """How many positions of an attempt are answered correctly.

    `questions` is the attempt's frozen list, `answers` {position: chosen keys}, `correct` {version id: correct
    keys} as correct_keys() gives them. Unanswered positions are wrong.
    """
    return sum(1 for position, q in enumerate(questions, start=1)
               if is_correct(answers.get(position, ""), correct.get(q["v"], "")))


__all__ = ["NotEnoughQuestions", "arrange_options", "correct_keys", "draw", "draw_versions", "is_correct",
           "normalise_choices", "option_keys", "score"]
