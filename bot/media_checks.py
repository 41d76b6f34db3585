"""`validate` for what a question shows besides text: every formula typesets, every image can be shown.

Runs when the bank is loaded (the formulas' layouts are cached then, so posting is fast). Lines
are found in the file's own text, so each problem names `file:line`.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from bot import formulas
from bot.figures import ATTACHMENTS_PER_MESSAGE, file_problem, find_images, resolve, src_problem
from bot.math_spans import find_spans
from bot.problems import Problem, Severity
from bot.questions import Question

# A message holds 10 files; one of them is its typeset formulas.
FIGURES_PER_MESSAGE = ATTACHMENTS_PER_MESSAGE - 1


def media_problems(text: str, path: Path, qid: str, question: Question | None) -> list[Problem]:
    """Formulas that cannot be typeset and images that cannot be shown, in `text` (the file at `path`)."""
    problems: list[Problem] = []

    def error(offset: int, message: str) -> None:
        problems.append(Problem(str(path), text.count("\n", 0, offset) + 1, Severity.ERROR, message))

    for span in find_spans(text):
        why = formulas.check(span.tex, span.display)
        if why is not None:
            error(span.start, why)
    images = find_images(text)
    root = path.parents[len(PurePosixPath(qid).parts) - 1]
    folder = PurePosixPath(qid).parent.as_posix()
    for image in images:
        why = src_problem(image)
        if why is None and not image.remote:
            inside = resolve(image.src, folder)
            why = f"image `{image.src}` is outside the bank folder" if inside is None else None
            why = why or file_problem(root / inside, image.src)
        if why is not None:
            error(image.start, why)
    # The question's parts are sliced verbatim from the file: the answer starts where its text does.
    answer = question and (question.explanation or question.reading)
    answer_at = text.find(answer) if answer else len(text)
    for group in ([i for i in images if i.start < answer_at], [i for i in images if i.start >= answer_at]):
        if len(group) > FIGURES_PER_MESSAGE:
            error(
                group[FIGURES_PER_MESSAGE].start,
                f"{len(group)} images for one message: Discord shows at most {FIGURES_PER_MESSAGE} beside the formulas",
            )
    return problems
