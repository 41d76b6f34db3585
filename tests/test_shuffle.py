"""Options shuffled per quiz, the pure part: orders, the mapping back to the file, the opt-out."""

from __future__ import annotations

import random
import textwrap
from dataclasses import replace

import pytest

from bot import option_order
from bot.questions import Option, Question, parse_question, refers_by_place

FILE = Question(
    id="q",
    title="T",
    body="",
    prompt="Which one?",
    options=(Option("w0", False), Option("r1", True), Option("w2", False), Option("w3", False)),
)


def texts(question: Question) -> list[str]:
    return [option.text for option in question.options]


@pytest.mark.parametrize(
    ("order", "posted"),
    [
        ((0, 1, 2, 3), ["w0", "r1", "w2", "w3"]),
        ((2, 0, 1, 3), ["w2", "w0", "r1", "w3"]),
        ((3, 2, 1, 0), ["w3", "w2", "r1", "w0"]),
        ((1, 3, 0, 2), ["r1", "w3", "w0", "w2"]),
    ],
)
def test_a_question_is_posted_in_its_order_and_maps_back_to_the_file(order: tuple, posted: list[str]) -> None:
    shown = option_order.as_posted(FILE, order)
    assert texts(shown) == posted
    assert shown.correct == {posted.index("r1")}  # grading by place finds the right option
    assert option_order.as_in_file(shown, order) == FILE


@pytest.mark.parametrize(
    ("order", "places", "indexes"),
    [
        ((0, 1, 2, 3), {0, 3}, {0, 3}),
        ((2, 0, 1, 3), {0}, {2}),
        ((2, 0, 1, 3), {1, 2}, {0, 1}),
        ((3, 2, 1, 0), {0, 1, 2, 3}, {0, 1, 2, 3}),
        ((1, 3, 0, 2), {1, 3}, {3, 2}),
        ((1, 3, 0, 2), set(), set()),
    ],
)
def test_picks_by_place_map_to_the_file_and_back(order: tuple, places: set, indexes: set) -> None:
    assert option_order.to_file(order, places) == indexes
    assert option_order.to_posted(order, indexes) == places


@pytest.mark.parametrize(
    ("shuffle", "opted_out", "shuffled"),
    [(True, False, True), (False, False, False), (True, True, False), (False, True, False)],
)
def test_an_order_is_fresh_only_when_the_config_and_the_question_allow_it(
    shuffle: bool, opted_out: bool, shuffled: bool
) -> None:
    question = replace(FILE, options=tuple(Option(str(n), n == 0) for n in range(8)), shuffle=not opted_out)
    rng = random.Random(3)
    orders = {option_order.choose(question, rng, shuffle=shuffle) for _ in range(20)}
    assert all(sorted(order) == list(range(8)) for order in orders)
    if shuffled:
        assert len(orders) > 1
    else:
        assert orders == {option_order.identity(8)}


@pytest.mark.parametrize(
    ("option", "found"),
    [
        ("None of the above.", "None of the above"),
        ("All of the above", "All of the above"),
        ("Both of the others", "Both of the others"),
        ("neither of the options", "neither of the options"),
        ("The answers listed above", "listed above"),
        ("Only the one shown below", "shown below"),
        ("Everything above", "above"),
        ("Both A and C", "Both A and C"),
        ("only B or D", "only B or D"),
        ("A loss above 0.5 means the model is wrong", None),
        ("Recall below 0.9", None),
        ("All of the weights shrink towards zero", None),
        ("None of the features are scaled", None),
        ("Both a and b are vectors", None),
        ("Aboveground biomass", None),
    ],
)
def test_options_that_point_at_others_by_place(option: str, found: str | None) -> None:
    assert refers_by_place(option) == found


QUESTION = """\
{front}# T

**Which one?**

- [x] Dropout
- [ ] Weight decay
- [ ] None of the above

## Answer

x
"""


def parsed(front: str):
    text = textwrap.dedent(QUESTION).format(front=front)
    return parse_question(text, path="q.md", qid="q")


BY_PLACE = (
    "warning",
    "this option refers to others by their place (`None of the above`), but each quiz shuffles the options: "
    "add `shuffle: false` to the front matter to keep the file's order",
)


@pytest.mark.parametrize(
    ("front", "problems", "shuffle"),
    [
        pytest.param("", [(7, *BY_PLACE)], True, id="shuffled"),
        pytest.param("---\nshuffle: false\n---\n", [], False, id="opted-out"),
        pytest.param("---\nshuffle: true\n---\n", [(10, *BY_PLACE)], True, id="shuffle-said-explicitly"),
        pytest.param(
            '---\nshuffle: "false"\n---\n',
            [(2, "error", "front matter: `shuffle` must be true or false"), (10, *BY_PLACE)],
            None,
            id="not-a-boolean",
        ),
    ],
)
def test_the_shuffle_key_and_the_warning_about_place(front: str, problems: list, shuffle: bool | None) -> None:
    result = parsed(front)
    assert [(p.line, p.severity.value, p.message) for p in result.problems] == problems
    assert (result.question.shuffle if result.question else None) == shuffle
