"""The starter bank's numeric answer keys, computed a second time from first principles.

Each row: a question, the value its correct option states, computed here in Python (for figure
questions, from the very numbers the figure script draws).
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import pytest

from bot.bank import load_bank

BANK = Path(__file__).resolve().parent.parent / "questions"
_spec = importlib.util.spec_from_file_location("make_figures", BANK / "figures" / "make_figures.py")
figures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(figures)


def softmax(z: list[float], t: float = 1.0) -> list[float]:
    e = [math.exp(v / t) for v in z]
    return [v / sum(e) for v in e]


def sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def kl(p: list[float], q: list[float]) -> float:
    return sum(a * math.log(a / b) for a, b in zip(p, q, strict=True))


CM = figures.CONFUSION
DOG = 1


@pytest.mark.parametrize(
    ("qid", "value", "shown"),
    [
        ("neural-networks/softmax-temperature", softmax([2, 1, 0], 0.5)[0], "{:.3f}"),
        ("evaluation/cross-entropy-value", -math.log(0.25), "{:.3f}"),
        ("evaluation/confusion-matrix-precision", CM[DOG][DOG] / sum(row[DOG] for row in CM), "{:.2f}"),
        (
            "neural-networks/sigmoid-derivative",
            max(sigmoid(z / 100) * (1 - sigmoid(z / 100)) for z in range(-500, 500)),
            "{:.2f}",
        ),
        ("neural-networks/bce-gradient-logit", sigmoid(1.0) - 1, "{:.3f}"),
        ("neural-networks/momentum-effective-step", sum(0.9**k for k in range(10_000)), "{:.0f}\\,g"),
        ("evaluation/kl-divergence-asymmetry", kl([0.5, 0.5], [0.9, 0.1]), "{:.3f}"),
    ],
)
def test_the_correct_option_states_the_computed_value(qid: str, value: float, shown: str) -> None:
    question = load_bank([BANK]).get(qid)
    (correct,) = [o.text for o in question.options if o.correct]
    assert shown.format(value) in correct


def test_the_distractors_quote_the_values_of_the_named_mistakes() -> None:
    bank = load_bank([BANK])
    temperature = bank.get("neural-networks/softmax-temperature")
    assert f"{softmax([2, 1, 0], 2)[0]:.3f}" in temperature.options[0].text  # T = 2 instead of 0.5
    precision = bank.get("evaluation/confusion-matrix-precision")
    assert f"{CM[DOG][DOG] / sum(CM[DOG]):.2f}" in precision.options[0].text  # the recall
    accuracy = sum(CM[i][i] for i in range(3)) / sum(map(sum, CM))
    assert f"{accuracy:.2f}" in precision.options[3].text


def test_the_figures_show_what_the_early_stopping_key_says() -> None:
    validation = figures.train_validation_losses()["validation"]
    assert figures.EPOCHS[validation.index(min(validation))] == 8
    losses = figures.learning_rate_losses()
    assert losses["lr = 1.0"][-1] > losses["lr = 1.0"][0]  # diverges
    assert losses["lr = 0.0001"][0] - losses["lr = 0.0001"][-1] < 0.5  # barely moves
    assert losses["lr = 0.01"][-1] < 0.3
