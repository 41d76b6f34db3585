"""Bank-level lints: quiet on a fair bank of any shape, loud on a gamed one."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.bank import QuestionBank
from bot.lints import CUE_MIN_QUESTIONS, length_tally, lint_bank, near_duplicates, position_tallies, similar_pairs
from bot.questions import Option, Question

WORDS = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india")


def question(n: int, correct: set[int], lengths: list[int], prompt: str = "") -> Question:
    """Question `n`, with options of the given lengths (in words) and these correct indexes."""
    options = tuple(
        Option(" ".join(f"{WORDS[(n + i + w) % len(WORDS)]}{n}x{i}" for w in range(size)), i in correct)
        for i, size in enumerate(lengths)
    )
    return Question(id=f"q{n}", title=f"Q{n}", body=f"Story number {n}.", prompt=prompt or f"Ask {n}?", options=options)


def fair(n: int, k: int, c: int, turn: int | None = None) -> Question:
    """Correct options and the longest options both move around, independently of each other."""
    turn = n if turn is None else turn
    correct = {(turn + j) % k for j in range(c)}
    lengths = [2 + (i + turn // k) % k for i in range(k)]
    return question(n, correct, lengths)


def longest_correct(n: int, k: int, c: int, turn: int | None = None) -> Question:
    turn = n if turn is None else turn
    correct = {(turn + j) % k for j in range(c)}
    return question(n, correct, [6 if i in correct else 3 for i in range(k)])


def always_at_a(n: int, k: int, c: int) -> Question:
    lengths = [2 + (i + n) % k for i in range(k)]
    return question(n, set(range(c)), lengths)


def bank(questions: list[Question]) -> QuestionBank:
    return QuestionBank(
        {q.id: q for q in questions}, files=len(questions), paths={q.id: f"b/{q.id}.md" for q in questions}
    )


SHAPES = [(4, 1), (4, 2), (5, 1), (3, 1), (6, 3), (2, 1)]  # options, correct: a mix, as real banks have


def mixed(make, n: int) -> Question:
    k, c = SHAPES[n % len(SHAPES)]
    return make(n, k, c, turn=n // len(SHAPES))


BANKS = [
    pytest.param(lambda n: fair(n, 4, 1), 40, [], id="fair-single-answer"),
    pytest.param(lambda n: mixed(fair, n), 600, [], id="fair-mixed-shapes-large"),
    pytest.param(lambda n: fair(n, 2, 1), 1000, [], id="fair-two-options"),
    pytest.param(lambda n: longest_correct(n, 4, 1), 12, ["length cue"], id="longest-correct-12-of-12"),
    pytest.param(lambda n: mixed(longest_correct, n), 60, ["length cue"], id="longest-correct-mixed"),
    pytest.param(
        lambda n: longest_correct(n, 4, 2) if n % 2 else fair(n, 4, 2), 40, ["length cue"], id="half-gamed-pairs"
    ),
    pytest.param(lambda n: always_at_a(n, 4, 1), 12, ["position cue"], id="always-at-a"),
    pytest.param(lambda n: longest_correct(n, 4, 1), CUE_MIN_QUESTIONS - 1, [], id="too-few-to-tell"),
]


@pytest.mark.parametrize(("make", "size", "expected"), BANKS)
def test_cues_fire_on_gamed_banks_and_stay_quiet_on_fair_ones(make, size: int, expected: list[str]) -> None:
    found = lint_bank(bank([make(n) for n in range(size)]), where="b")
    assert [p.message.split(":")[0] for p in found] == expected
    assert all(p.severity == "warning" for p in found)


def test_fair_bank_gives_what_chance_gives() -> None:
    questions = [fair(n, 4, 1) for n in range(400)]
    tally = length_tally(questions)
    assert (tally.observed, tally.expected) == (100, 100.0)
    assert [(t.observed, t.expected) for t in position_tallies(questions)] == [(100, 100.0)] * 4


def test_chance_accounts_for_each_questions_option_and_answer_counts() -> None:
    questions = [longest_correct(0, 4, 1), longest_correct(1, 4, 2), longest_correct(2, 2, 1), fair(3, 4, 4)]
    tally = length_tally(questions)  # the all-correct question cannot show the cue and is left out
    assert tally.observed == 3
    assert tally.expected == pytest.approx(1 / 4 + 1 / 6 + 1 / 2)


def test_length_cue_names_the_worst_files_first() -> None:
    questions = [longest_correct(n, 4, 1) for n in range(12)]
    questions[7] = question(7, {0}, [20, 2, 2, 2])
    (problem,) = lint_bank(bank(questions), where="b")
    assert str(problem).startswith(
        "b: warning: length cue: in 12 of 12 questions the correct options are exactly the longest ones, "
        "where chance gives 3.0;"
    )
    assert problem.message.split("Worst (shortest correct ÷ longest wrong): ")[1].startswith("b/q7.md (9.6x), ")


def test_position_cue_names_the_letters_over_and_under_chance() -> None:
    (problem,) = lint_bank(bank([always_at_a(n, 4, 1) for n in range(40)]), where="b")
    assert problem.message.startswith(
        "position cue: a correct option sits at A in 40 (chance gives 10.0); at B in 0 (chance gives 10.0); "
        "at C in 0 (chance gives 10.0); at D in 0 (chance gives 10.0) of 40 questions"
    )


def reworded(q: Question, option: int, text: str) -> Question:
    options = list(q.options)
    options[option] = Option(text, options[option].correct)
    return Question(id=q.id + "b", title=q.title, body=q.body, prompt=q.prompt, options=tuple(options))


def test_near_duplicates_are_reported_with_both_files() -> None:
    original = question(1, {0}, [6, 6, 6, 6], prompt="Which statement about the loss is correct for this model?")
    copy = reworded(original, 3, original.options[3].text + " indeed")
    others = [fair(n, 4, 1) for n in range(2, 30)]
    found = near_duplicates([(f"b/{q.id}.md", q) for q in [original, copy, *others]])
    assert [str(p) for p in found] == [
        "b/q1.md: warning: nearly the same question (prompt, options and body) as b/q1b.md: "
        "keep one, or make them differ"
    ]


def test_same_prompt_and_options_with_a_different_story_are_different_questions() -> None:
    original = question(1, {0}, [1, 1, 1, 1], prompt="What does this code print?")
    other = Question(
        id="q2", title="Q2", body="```py\nprint(len('abc'))\n```", prompt=original.prompt, options=original.options
    )
    assert near_duplicates([("a.md", original), ("b.md", other)]) == []


def test_many_copies_are_one_warning_naming_some_of_them() -> None:
    q = question(1, {0}, [5, 5, 5])
    copies = [(f"c/{n:03}.md", q) for n in range(300)]
    (problem,) = near_duplicates(copies)
    assert problem.path == "c/000.md"
    assert problem.message.startswith("nearly the same question (prompt, options and body) as c/001.md, c/002.md")
    assert "and 294 more" in problem.message


@pytest.mark.parametrize(
    ("sets", "threshold", "expected"),
    [
        ([{"a", "b", "c", "d", "e"}, {"a", "b", "c", "d", "f"}], 0.6, [(0, 1)]),  # 4/6 shared
        ([{"a", "b", "c", "d", "e"}, {"a", "b", "c", "d", "f"}], 0.7, []),
        ([{"a", "b"}, {"c", "d"}, {"a", "b"}], 0.9, [(0, 2)]),
        ([set(), {"a"}], 0.5, []),
        ([{"x", "y", "z", *map(str, range(20))}, {"x", "y", "z", *map(str, range(1, 21))}], 0.9, [(0, 1)]),
    ],
)
def test_similar_pairs_finds_exactly_the_pairs_over_the_threshold(sets, threshold: float, expected) -> None:
    found = similar_pairs([frozenset(s) for s in sets], threshold)
    assert sorted(tuple(sorted(p)) for p in found) == expected


def test_similar_pairs_matches_comparing_every_pair() -> None:
    import random

    rng = random.Random(7)
    vocabulary = [f"w{n}" for n in range(40)]
    sets = [frozenset(rng.sample(vocabulary, rng.randint(3, 12))) for _ in range(150)]
    sets += [frozenset(list(s)[:-1]) for s in sets[:30]]  # near copies
    brute = {
        (i, j)
        for i in range(len(sets))
        for j in range(i + 1, len(sets))
        if len(sets[i] & sets[j]) / len(sets[i] | sets[j]) >= 0.75
    }
    assert {tuple(sorted(p)) for p in similar_pairs(sets, 0.75)} == brute


def test_the_shipped_bank_is_linted_through_the_validate_command(tmp_path: Path, capsys) -> None:
    from bot.__main__ import main

    for n in range(12):
        q = longest_correct(n, 4, 1)
        options = "\n".join(f"- [{'x' if o.correct else ' '}] {o.text}" for o in q.options)
        (tmp_path / f"q{n}.md").write_text(
            f"# {q.title}\n\n{q.body}\n\n**{q.prompt}**\n\n{options}\n\n## Answer\n\nx\n"
        )
    assert main(["validate", str(tmp_path)]) == 0
    assert main(["validate", "--strict", str(tmp_path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[-2].startswith(f"{tmp_path}: warning: length cue: in 12 of 12 questions")
    assert out[-1].endswith("1 warning in 12 files — failed because --strict counts warnings as errors")


@pytest.mark.parametrize("seed", range(5))
def test_a_bank_shuffled_at_random_is_fair(seed: int) -> None:
    import random

    rng = random.Random(seed)
    questions = []
    for n in range(2000):
        k, c = rng.choice(SHAPES)
        questions.append(question(n, set(rng.sample(range(k), c)), [rng.randint(2, 8) for _ in range(k)]))
    assert lint_bank(bank(questions), where="b") == []
