"""Redraw the starter bank's figures: `python questions/figures/make_figures.py`.

Drawn with the bot's own chart code (no extra packages), from the numbers the questions use, so a
figure and its answer key cannot drift apart: the keys are checked against these same numbers.
"""

from __future__ import annotations

import math
from pathlib import Path

from bot import charts

HERE = Path(__file__).resolve().parent

# Rows: true class; columns: predicted class.
CLASSES = ("cat", "dog", "fox")
CONFUSION = ((50, 8, 2), (10, 35, 5), (0, 12, 28))

EPOCHS = list(range(1, 21))


def learning_rate_losses() -> dict[str, list[float]]:
    """Training loss per epoch for three learning rates: too low, about right, too high."""
    return {
        "lr = 0.0001": [2.3 - 0.02 * e for e in EPOCHS],
        "lr = 0.01": [0.25 + 2.05 * math.exp(-0.3 * e) for e in EPOCHS],
        "lr = 1.0": [2.3 + 0.3 * e * (1 + 0.4 * math.sin(2.1 * e)) for e in EPOCHS],
    }


def train_validation_losses() -> dict[str, list[float]]:
    """An overfitting run: validation loss bottoms out at epoch 8 and climbs after."""
    train = [2.0 * math.exp(-0.18 * e) + 0.05 for e in EPOCHS]
    validation = [0.55 + 0.012 * (e - 8) ** 2 for e in EPOCHS]
    return {"training": train, "validation": validation}


def confusion_matrix() -> bytes:
    cell, left, top = 90, 150, 110
    body = [charts.text(left + 1.5 * cell, 70, "predicted class", colour=charts.MUTED, anchor="middle")]
    peak = max(max(row) for row in CONFUSION)
    for j, name in enumerate(CLASSES):
        body.append(charts.text(left + j * cell + cell / 2, top - 10, name, anchor="middle"))
        body.append(charts.text(left - 12, top + j * cell + cell / 2 + 6, f"true {name}", anchor="end"))
    for i, row in enumerate(CONFUSION):
        for j, count in enumerate(row):
            shade = 245 - int(175 * count / peak)
            fill = f"rgb({shade},{shade},255)"
            x, y = left + j * cell, top + i * cell
            body.append(f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" fill="{fill}" stroke="#ffffff"/>')
            ink = "#ffffff" if shade < 140 else charts.INK
            body.append(charts.text(x + cell / 2, y + cell / 2 + 8, str(count), size=24, colour=ink, anchor="middle"))
    return charts.card(left + 3 * cell + 40, top + 3 * cell + 30, body, "Confusion matrix (validation set)")


def main() -> None:
    labels = [str(e) for e in EPOCHS]
    figures = {
        "confusion-matrix.png": confusion_matrix(),
        "learning-rates.png": charts.lines(
            "Training loss per epoch", labels, list(learning_rate_losses().items()), top=8.0, percent=False
        ),
        "train-validation-loss.png": charts.lines(
            "Loss per epoch", labels, list(train_validation_losses().items()), top=2.0, percent=False
        ),
    }
    for name, png in figures.items():
        (HERE / name).write_bytes(png)
        print(f"wrote {HERE / name} ({len(png):,} bytes)")


if __name__ == "__main__":
    main()
