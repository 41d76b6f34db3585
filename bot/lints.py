"""Bank-level lints: cues and repeats that no single file shows. Pure.

A member who knows nothing should score what chance gives. Two cues beat chance in many banks
written by hand: the correct options are the longest ones, and the correct answer sits at one
letter more often than at others. Each lint compares what the bank does with what chance gives
for the bank's *actual* option counts, and reports only a clear excess, so a fair bank stays
quiet at any size. `lint_bank` is what `quizbot validate` runs on every folder.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain

from bot.bank import QuestionBank
from bot.problems import Problem, Severity
from bot.questions import Question

# A cue is reported when it is at least this many standard deviations above what chance gives:
# a fair bank crosses 3 about once in 700 validations (one-sided normal tail).
CUE_Z = 3.0
# ... and at least this many times what chance gives, so that a large bank's small, harmless
# excess (52 % where chance gives 50 %) stays quiet even when it is statistically clear.
CUE_RATIO = 1.5
# Below this many questions no cue is reported: three lucky questions are not a pattern.
CUE_MIN_QUESTIONS = 10
# Two questions are near-duplicates when their prompt-and-options words overlap this much
# (Jaccard: shared words / all words), and their bodies (the story, the code) overlap as much.
# 0.8 still catches a copy with a reworded option or two; distinct questions on one topic share
# far fewer of their words.
NEAR_DUPLICATE = 0.8
WORST_NAMED = 5  # files named in a cue's warning
_WORD = re.compile(r"\w+")
LETTERS = "ABCDEFGHIJKLMNOPQRST"


@dataclass(frozen=True)
class Tally:
    """Observed against chance: `observed` hits where chance gives `expected` with `variance`."""

    observed: int
    expected: float
    variance: float

    @property
    def z(self) -> float:
        return (self.observed - self.expected) / math.sqrt(self.variance) if self.variance else 0.0

    def beats_chance(self) -> bool:
        return self.z >= CUE_Z and self.observed >= CUE_RATIO * self.expected

    def below_chance(self) -> bool:
        return self.z <= -CUE_Z and self.observed * CUE_RATIO <= self.expected


def lint_bank(bank: QuestionBank, where: str = "bank") -> list[Problem]:
    """Every bank-level warning; `where` names the folder in the cue warnings."""
    items = sorted((bank.paths.get(qid, qid), q) for qid, q in bank.questions.items())
    problems = [*length_cue(items, where), *position_cue(items, where)]
    problems.extend(near_duplicates(items))
    return problems


def longest_are_correct(question: Question) -> bool:
    """Whether every correct option is longer than every wrong one."""
    lengths = [(len(o.text.strip()), o.correct) for o in question.options]
    wrong = [n for n, correct in lengths if not correct]
    right = [n for n, correct in lengths if correct]
    return bool(wrong) and bool(right) and min(right) > max(wrong)


def length_tally(questions: Sequence[Question]) -> Tally:
    """How often the correct options are exactly the longest, against chance (1 in C(k, c))."""
    eligible = [q for q in questions if 0 < len(q.correct) < len(q.options)]
    chances = [1 / math.comb(len(q.options), len(q.correct)) for q in eligible]
    return Tally(sum(map(longest_are_correct, eligible)), sum(chances), sum(p * (1 - p) for p in chances))


def length_cue(items: Sequence[tuple[str, Question]], where: str) -> list[Problem]:
    tally = length_tally([q for _, q in items])
    if len(items) < CUE_MIN_QUESTIONS or not tally.beats_chance():
        return []

    def margin(question: Question) -> float:
        right = min(len(o.text.strip()) for o in question.options if o.correct)
        return right / max(1, max(len(o.text.strip()) for o in question.options if not o.correct))

    worst = sorted(((margin(q), path) for path, q in items if longest_are_correct(q)), reverse=True)
    named = ", ".join(f"{path} ({ratio:.1f}x)" for ratio, path in worst[:WORST_NAMED])
    return [
        Problem(
            where,
            0,
            Severity.WARNING,
            f"length cue: in {tally.observed} of {len(items)} questions the correct options are exactly the "
            f"longest ones, where chance gives {tally.expected:.1f}; picking the longest options scores without "
            f"knowing the answers. Make wrong options as long as right ones. Worst (shortest correct ÷ longest "
            f"wrong): {named}",
        )
    ]


def position_tallies(questions: Sequence[Question]) -> list[Tally]:
    """For each letter, how many questions have a correct option there, against chance (c / k)."""
    observed: Counter[int] = Counter()
    expected: defaultdict[int, float] = defaultdict(float)
    variance: defaultdict[int, float] = defaultdict(float)
    for q in questions:
        p = len(q.correct) / len(q.options)
        observed.update(q.correct)
        for letter in range(len(q.options)):
            expected[letter] += p
            variance[letter] += p * (1 - p)
    return [Tally(observed[n], expected[n], variance[n]) for n in sorted(expected)]


def position_cue(items: Sequence[tuple[str, Question]], where: str) -> list[Problem]:
    if len(items) < CUE_MIN_QUESTIONS:
        return []
    tallies = position_tallies([q for _, q in items])
    odd = [
        f"{LETTERS[n]} in {t.observed} (chance gives {t.expected:.1f})"
        for n, t in enumerate(tallies)
        if t.beats_chance() or t.below_chance()
    ]
    if not odd:
        return []
    return [
        Problem(
            where,
            0,
            Severity.WARNING,
            f"position cue: a correct option sits at {'; at '.join(odd)} of {len(items)} questions; "
            "a member who always picks one letter beats chance. Move the correct options around",
        )
    ]


def _words(text: str) -> frozenset[str]:
    return frozenset(_WORD.findall(text.casefold()))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 1.0
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared)


def similar_pairs(sets: Sequence[frozenset[str]], threshold: float) -> list[tuple[int, int]]:
    """Index pairs whose Jaccard similarity is at least `threshold`, without comparing all pairs.

    Prefix filtering (as in the AllPairs and PPJoin joins): with every set's words in one global
    order, rarest first, and the sets taken smallest first, two sets this similar must share a word
    among the first `len - ceil(threshold * len) + 1` words of the larger one and the first
    `len - ceil(2 * threshold / (1 + threshold) * len) + 1` of the smaller one; and when the first
    word they share sits at positions i and j, they share at most 1 + min(|x| - i, |y| - j) - 1
    words. So each set is compared only with the few earlier sets that pass both bounds. Equal sets
    are grouped first, so that a hundred copies cost a hundred steps rather than ten thousand.
    """
    groups: dict[frozenset[str], list[int]] = defaultdict(list)
    for i, words in enumerate(sets):
        groups[words].append(i)
    pairs = [(group[0], other) for group in groups.values() for other in group[1:]]
    distinct = sorted(groups, key=len)
    # Rarest first; ties keep the order of first appearance, which is one order for every set.
    rank = {word: n for n, (word, _) in enumerate(reversed(Counter(chain.from_iterable(distinct)).most_common()))}
    overlap_share = threshold / (1 + threshold)  # Jaccard >= t  <=>  shared >= t / (1 + t) * (|x| + |y|)
    indexed_share = 2 * overlap_share
    index: defaultdict[str, list[tuple[int, int]]] = defaultdict(list)
    for n, words in enumerate(distinct):
        size = len(words)
        if not size:
            continue
        ordered = sorted(words, key=rank.__getitem__)
        smallest = threshold * size
        candidates = set()
        for i, word in enumerate(ordered[: size - math.ceil(threshold * size - 1e-9) + 1]):
            for m, j in index[word]:  # earlier sets are no larger than this one
                other = len(distinct[m])
                if other >= smallest and min(size - i, other - j) >= overlap_share * (size + other):
                    candidates.add(m)
        for j, word in enumerate(ordered[: size - math.ceil(indexed_share * size - 1e-9) + 1]):
            index[word].append((n, j))
        for m in candidates:
            other = distinct[m]
            if len(words & other) >= overlap_share * (size + len(other)):
                pairs.append((groups[other][0], groups[words][0]))
    return pairs


def near_duplicates(items: Sequence[tuple[str, Question]]) -> list[Problem]:
    """Groups of questions with nearly the same prompt and options (and body), named by file."""
    asked = [_words("\n".join([q.prompt, *(o.text for o in q.options)])) for _, q in items]
    parent = list(range(len(items)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in similar_pairs(asked, NEAR_DUPLICATE):
        if jaccard(_words(items[a][1].body), _words(items[b][1].body)) >= NEAR_DUPLICATE:
            parent[root(b)] = root(a)
    clusters: defaultdict[int, list[str]] = defaultdict(list)
    for i, (path, _) in enumerate(items):
        clusters[root(i)].append(path)
    problems = []
    for paths in clusters.values():
        if len(paths) < 2:
            continue
        paths.sort()
        others = ", ".join(paths[1 : 1 + WORST_NAMED]) + (
            f" and {len(paths) - 1 - WORST_NAMED} more" if len(paths) > 1 + WORST_NAMED else ""
        )
        problems.append(
            Problem(
                paths[0],
                0,
                Severity.WARNING,
                f"nearly the same question (prompt, options and body) as {others}: keep one, or make them differ",
            )
        )
    return sorted(problems, key=lambda p: p.path)
