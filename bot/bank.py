"""The question bank: every question file under a folder, loaded and searchable.

A broken file never takes the bank down: its problems are collected and every valid question
is kept, so the bot serves what it can and the moderator learns exactly what to fix.
"""

from __future__ import annotations

import difflib
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.questions import Problem, Question, Severity, decode, parse_question


@dataclass(frozen=True)
class QuestionBank:
    questions: Mapping[str, Question]  # by id
    problems: tuple[Problem, ...] = ()
    files: int = 0

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


def load_bank(roots: Iterable[Path]) -> QuestionBank:
    """Load every `*.md` file under each root (a folder, or a single file)."""
    questions: dict[str, Question] = {}
    problems: list[Problem] = []
    seen_folded: dict[str, str] = {}
    files = 0
    for root in roots:
        for path, qid in _question_files(root):
            files += 1
            shown = str(path)
            text = decode(path.read_bytes(), shown)
            if isinstance(text, Problem):
                problems.append(text)
                continue
            topic = qid.split("/", 1)[0] if "/" in qid else None
            parsed = parse_question(text, path=shown, qid=qid, topic=topic)
            problems.extend(parsed.problems)
            if parsed.question is None:
                continue
            twin = seen_folded.setdefault(qid.casefold(), qid)
            if twin != qid:
                problems.append(Problem(shown, 1, Severity.ERROR, f"id `{qid}` differs from `{twin}` only in case"))
                continue
            questions[qid] = parsed.question
    return QuestionBank(questions, tuple(problems), files)


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
