"""The question bank: every question file under a folder, loaded and searchable.

A broken file never takes the bank down: its problems are collected and every valid question
is kept, so the bot serves what it can and the moderator learns exactly what to fix.
"""

from __future__ import annotations

import difflib
import multiprocessing
import random
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from bot.media_checks import media_problems
from bot.questions import Problem, Question, Severity, decode, parse_question

PARALLEL_FROM = 1000  # files; below this, starting worker processes costs more than it saves


@dataclass(frozen=True)
class QuestionBank:
    questions: Mapping[str, Question]  # by id
    problems: tuple[Problem, ...] = ()
    files: int = 0
    broken: frozenset[str] = frozenset()  # ids of files that have errors
    paths: Mapping[str, str] = field(default_factory=dict)  # the file of each question, by id

    def keeping_what_broke(self, previous: QuestionBank) -> QuestionBank:
        """This bank, plus the previous version of each question whose file is now broken.

        A reload must not take a question out of service because of a typo made since.
        """
        kept = {qid: previous.questions[qid] for qid in self.broken if qid in previous.questions}
        return replace(self, questions={**self.questions, **kept})

    @property
    def errors(self) -> int:
        return sum(p.severity is Severity.ERROR for p in self.problems)

    @property
    def warnings(self) -> int:
        return sum(p.severity is Severity.WARNING for p in self.problems)

    def get(self, qid: str) -> Question | None:
        return self.questions.get(qid)

    def topics(self) -> list[str]:
        """Topic folders and tags, the names `/quiz topic:` accepts."""
        names = {q.topic for q in self.questions.values() if q.topic}
        names.update(tag for q in self.questions.values() for tag in q.tags)
        return sorted(names)

    def in_topic(self, topic: str | None) -> list[Question]:
        if topic is None:
            return list(self.questions.values())
        return [q for q in self.questions.values() if q.topic == topic or topic in q.tags]

    def search(self, text: str, limit: int = 25) -> list[Question]:
        """Questions whose id or title contains `text` (case-insensitive), for autocomplete."""
        needle = text.casefold().strip()
        hits = [q for q in self.questions.values() if needle in q.id.casefold() or needle in q.title.casefold()]
        return hits[:limit]

    def closest_ids(self, text: str, n: int = 3) -> list[str]:
        return difflib.get_close_matches(text, list(self.questions), n=n, cutoff=0.4)

    def closest_topics(self, text: str, n: int = 3) -> list[str]:
        return difflib.get_close_matches(text, self.topics(), n=n, cutoff=0.4)


def load_bank(roots: Iterable[Path], *, processes: int = 1) -> QuestionBank:
    """Load every `*.md` file under each root (a folder, or a single file).

    Parsing is CPU-bound, so a large bank is parsed by `processes` forked workers. Forking is only
    safe before other threads exist: callers pass processes > 1 only at start-up.
    """
    files = [found for root in roots for found in _question_files(root)]
    if processes > 1 and len(files) >= PARALLEL_FROM:
        with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork")) as pool:
            loaded = list(pool.map(_load_file, files, chunksize=256))
    else:
        loaded = [_load_file(found) for found in files]
    questions: dict[str, Question] = {}
    problems: list[Problem] = []
    seen_folded: dict[str, str] = {}
    broken: set[str] = set()
    paths: dict[str, str] = {}
    for (path, qid), (question, found_problems) in zip(files, loaded, strict=True):
        problems.extend(found_problems)
        if question is None:
            broken.add(qid)
            continue
        twin = seen_folded.setdefault(qid.casefold(), qid)
        if twin != qid:
            problems.append(Problem(str(path), 1, Severity.ERROR, f"id `{qid}` differs from `{twin}` only in case"))
            continue
        questions[qid] = question
        paths[qid] = str(path)
    return QuestionBank(questions, tuple(problems), len(files), frozenset(broken), paths)


def _load_file(found: tuple[Path, str]) -> tuple[Question | None, tuple[Problem, ...]]:
    path, qid = found
    try:
        raw = path.read_bytes()
    except OSError as error:  # one unreadable file must not keep the others out
        return None, (Problem(str(path), 0, Severity.ERROR, f"cannot read the file: {error.strerror or error}"),)
    text = decode(raw, str(path))
    if isinstance(text, Problem):
        return None, (text,)
    topic = qid.split("/", 1)[0] if "/" in qid else None
    parsed = parse_question(text, path=str(path), qid=qid, topic=topic)
    problems = (*parsed.problems, *media_problems(text, path, qid, parsed.question))
    if parsed.question is None or any(p.severity is Severity.ERROR for p in problems):
        return None, problems
    return replace(parsed.question, folder=str(path.parent.resolve())), problems


def _question_files(root: Path) -> list[tuple[Path, str]]:
    """(path, id) pairs; an id is the path relative to the root, without `.md`, with `/`."""
    if root.is_file():
        return [(root, root.stem)]
    # A README beside the questions documents the bank; it is not a question.
    paths = sorted(p for p in root.rglob("*.md") if p.is_file() and p.name.lower() != "readme.md")
    return [(p, p.relative_to(root).with_suffix("").as_posix()) for p in paths]


def least_recently_asked(
    candidates: Sequence[Question], last_asked: Mapping[str, float], rng: random.Random
) -> Question:
    """Never-asked questions first, then the one asked longest ago; ties are broken at random."""
    oldest = min(last_asked.get(q.id, float("-inf")) for q in candidates)
    return rng.choice([q for q in candidates if last_asked.get(q.id, float("-inf")) == oldest])
