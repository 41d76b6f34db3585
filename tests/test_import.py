"""`quizbot import`: each format's converter on its own samples, then the command end to end."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.__main__ import main
from bot.importers import FORMATS, Converted
from bot.importers.base import plain, title_from
from bot.importers.folder import file_stem
from bot.questions import Option, parse_question

MULTI_MARKDOWN = """\
## Python (the language)

#### Q1. What does `len([1, 2])` return?

```python
print(len([1, 2]))
```

- [ ] 1
- [x] 2
- [ ] an error

**Explanation:** `len` counts the items.

[Reference](https://docs.python.org/3/library/functions.html#len)

#### Q2. Which two of these are mutable?

![a diagram of objects](https://example.org/objects.png)

- [x] list
- [X] dict
- [ ] tuple

Reference: https://docs.python.org/3/reference/datamodel.html

#### Question 3: Which keyword defines a function?

- def
- fun

#### Q4. Which one is right?

- [x] a
- [x] b

### 5) Which loop never ends?

- [ ] `for x in []: pass`
- [x] `while True: pass`
"""

GIFT = r"""// Study group sample: every kind GIFT has.
$CATEGORY: ml/basics

::Learning rate::What does a learning rate that is too high do? {
  ~Training converges faster#Only until it overshoots.
  =The loss jumps around or grows#Each step overshoots the minimum.
  ####A step too large overshoots.
}

::Primes::Which of these are prime? {~%50%2 ~%50%5 ~%-100%4}

Gradient descent needs a differentiable loss. {F#Right: subgradients work too.#No: subgradients work too.}

Is 2 \= 2 written with an escaped \= and \{braces\}? {=Yes ~No}

The mean squared error punishes {=large ~small ~no} errors most.

::Free::Name a loss function. {=cross-entropy =hinge}

How many layers has a perceptron? {#1:0}

Match the loss to the task. {=log loss -> classification =MSE -> regression}

Explain overfitting in your own words. {}

This line only describes the next section.

[html]<p>Which activation is <b>zero</b> for negative inputs?</p>{=ReLU ~tanh ~sigmoid}

::Broken title Which? {=a ~b}
"""

AIKEN = """\
What does a learning rate that is too high do?
A. Training converges faster and more smoothly
B) The loss jumps around or grows
ANSWER: B

Which two numbers are prime?
A. 2
B. 4
C. 5
ANSWER: A, C

Options out of order?
A. first
C. third
ANSWER: A

No answer line here
A. x
B. y

The answer names no option
A. p
B. q
ANSWER: E
"""

CSV = """\
Question,Options,Correct,Explanation,Reading
"What does a learning rate that is too high do?","Converges faster | The loss jumps around",B,"Steps overshoot.",\
"[Gradient descent](https://en.wikipedia.org/wiki/Gradient_descent)"
"A model has 99% training accuracy and 60% test accuracy.

What is it doing?","Overfitting
Underfitting
Converging",A,,
"Only one option","x",A,,
"The letter names no option","x|y",D,,
,,,,
"No options at all",,A,,
"""

CSV_COLUMNS = """\
question,option a,option b,option c,answer
Which metric ignores true negatives?,Accuracy,F1 score,Specificity,B
"""


def outline(results) -> list[tuple[str, int, str]]:
    return [("ok", r.line, r.title) if isinstance(r, Converted) else ("skipped", r.line, r.reason) for r in results]


CONVERSIONS = [
    pytest.param(
        "markdown",
        MULTI_MARKDOWN,
        [
            ("ok", 3, "What does `len([1, 2])` return?"),
            ("ok", 17, "Which two of these are mutable?"),
            ("skipped", 27, "a numbered question with no `- [x]` / `- [ ]` options"),
            ("ok", 32, "Which one is right?"),  # the prompt/marks mismatch is caught when the file is checked
            ("ok", 37, "Which loop never ends?"),
        ],
        id="markdown",
    ),
    pytest.param(
        "gift",
        GIFT,
        [
            ("ok", 4, "Learning rate"),
            ("ok", 10, "Primes"),
            ("ok", 12, "Gradient descent needs a differentiable loss."),
            ("ok", 14, "Is 2 = 2 written with an escaped = and {braces}?"),
            ("ok", 16, "The mean squared error punishes _____ errors most."),
            ("skipped", 18, "a short-answer question (typed answers), not multiple choice"),
            ("skipped", 20, "a numeric question, not multiple choice"),
            ("skipped", 22, "a matching question, not multiple choice"),
            ("skipped", 24, "an essay question (free text), not multiple choice"),
            ("skipped", 26, "a description with no answers, not a question"),
            ("ok", 28, "Which activation is zero for negative inputs?"),
            ("skipped", 30, "a `::title` without its closing `::`"),
        ],
        id="gift",
    ),
    pytest.param(
        "aiken",
        AIKEN,
        [
            ("ok", 1, "What does a learning rate that is too high do?"),
            ("ok", 6, "Which two numbers are prime?"),
            ("skipped", 14, "option `C` where `B` was expected"),
            ("skipped", 17, "no `ANSWER:` line after the options (line 21 starts anew)"),
            ("skipped", 21, "`ANSWER: E` names no option (the options are A to B)"),
        ],
        id="aiken",
    ),
    pytest.param(
        "csv",
        CSV,
        [
            ("ok", 2, "What does a learning rate that is too high do?"),
            ("ok", 3, "What is it doing?"),
            ("skipped", 8, "1 option; a question needs 2 to 20"),
            ("skipped", 9, "correct `D` names no option (the options are A to B)"),
            ("skipped", 11, "0 options; a question needs 2 to 20"),
        ],
        id="csv",
    ),
    pytest.param("csv", CSV_COLUMNS, [("ok", 2, "Which metric ignores true negatives?")], id="csv-option-columns"),
    pytest.param(
        "csv",
        "title,options\nx,y\n",
        [("skipped", 1, "the header row has no question, no correct column; it has title, options")],
        id="csv-bad-header",
    ),
    pytest.param("csv", "", [("skipped", 1, "an empty file: the first row must name the columns")], id="csv-empty"),
    pytest.param(
        "gift",
        "Unclosed {=a ~b\n",
        [("skipped", 1, "answers opened with `{` but never closed with `}`")],
        id="gift-unclosed",
    ),
    pytest.param(
        "aiken",
        "Dangling?\nA. x\nB. y\n",
        [("skipped", 1, "no `ANSWER:` line at the end of the file")],
        id="aiken-unfinished",
    ),
]


@pytest.mark.parametrize(("form", "source", "expected"), CONVERSIONS)
def test_each_format_converts_what_it_can_and_names_the_rest(form: str, source: str, expected: list) -> None:
    assert outline(FORMATS[form](source)) == expected


def converted(form: str, source: str, line: int):
    (result,) = [r for r in FORMATS[form](source) if r.line == line]
    assert isinstance(result, Converted)
    return parse_question(result.text, path="x.md", qid="x")


@pytest.mark.parametrize(
    ("form", "source", "line", "prompt", "options", "explanation"),
    [
        (
            "gift",
            GIFT,
            4,
            "What does a learning rate that is too high do?",
            [Option("Training converges faster", False), Option("The loss jumps around or grows", True)],
            "A step too large overshoots.\n\n- Training converges faster: Only until it overshoots.\n"
            "- The loss jumps around or grows: Each step overshoots the minimum.",
        ),
        ("gift", GIFT, 10, "Which of these are prime?", [Option("2", True), Option("5", True), Option("4", False)], ""),
        (
            "gift",
            GIFT,
            12,
            "Gradient descent needs a differentiable loss.",
            [Option("True", False), Option("False", True)],
            "No: subgradients work too.",
        ),
        ("gift", GIFT, 28, "Which activation is **zero** for negative inputs?", None, None),
        (
            "aiken",
            AIKEN,
            6,
            "Which two numbers are prime?",
            [Option("2", True), Option("4", False), Option("5", True)],
            "",
        ),
        (
            "csv",
            CSV,
            3,
            "What is it doing?",
            [Option("Overfitting", True), Option("Underfitting", False), Option("Converging", False)],
            "",
        ),
        (
            "markdown",
            MULTI_MARKDOWN,
            3,
            "What does `len([1, 2])` return?",
            [Option("1", False), Option("2", True), Option("an error", False)],
            "`len` counts the items.",
        ),
    ],
    ids=["gift-feedback", "gift-weights", "gift-true-false", "gift-html", "aiken-several", "csv-story", "markdown"],
)
def test_converted_questions_keep_prompt_options_and_explanation(
    form: str, source: str, line: int, prompt: str, options: list | None, explanation: str | None
) -> None:
    parsed = converted(form, source, line)
    assert parsed.question is not None, parsed.problems
    question = parsed.question
    if options is None:  # a prompt with bold inside is not set in bold as a whole: body, not prompt
        assert prompt in question.body
        return
    assert (question.prompt, list(question.options), question.explanation) == (prompt, options, explanation)


def test_markdown_import_keeps_code_images_and_reading() -> None:
    first = converted("markdown", MULTI_MARKDOWN, 3).question
    second = converted("markdown", MULTI_MARKDOWN, 17).question
    assert first.body == "```python\nprint(len([1, 2]))\n```"
    assert first.reading == "- [Reference](https://docs.python.org/3/library/functions.html#len)"
    assert second.body == "![a diagram of objects](https://example.org/objects.png)"
    assert second.reading == "- Reference: https://docs.python.org/3/reference/datamodel.html"
    assert [o.correct for o in second.options] == [True, True, False]


def test_csv_story_paragraphs_become_the_body() -> None:
    question = converted("csv", CSV, 3).question
    assert question.body == "A model has 99% training accuracy and 60% test accuracy."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2*3*4 = 24", "2\\*3\\*4 = 24"),
        ("x_1 and `code`", "x\\_1 and \\`code\\`"),
        ("# not a heading", "\\# not a heading"),
        ("- not a list", "\\- not a list"),
        ("1. not a list", "\\1. not a list"),
        ("<b>", "\\<b\\>"),
    ],
)
def test_plain_text_is_escaped_so_it_shows_as_written(text: str, expected: str) -> None:
    assert plain(text) == expected


@pytest.mark.parametrize(
    ("title", "stem"),
    [
        ("What is 2 + 2?", "what-is-2-2"),
        ("Ошибка Арьи", "ошибка-арьи"),
        ("???", "question"),
        ("word " * 30, "-".join(["word"] * 12)),
    ],
)
def test_file_names_come_from_the_title(title: str, stem: str) -> None:
    assert file_stem(title) == stem


def test_long_prompts_give_a_short_title() -> None:
    prompt = "Which of the following statements about regularisation and the bias-variance trade-off are true?"
    assert title_from(prompt) == "Which of the following statements about regularisation and the bias-variance…"


SAMPLES = {"markdown": MULTI_MARKDOWN, "gift": GIFT, "aiken": AIKEN, "csv": CSV}


@pytest.mark.parametrize("form", sorted(SAMPLES))
def test_imported_folder_validates_without_errors(form: str, tmp_path: Path, capsys) -> None:
    source = tmp_path / f"sample.{form}"
    source.write_text(SAMPLES[form], encoding="utf-8")
    into = tmp_path / "bank"
    assert main(["import", form, str(source), "--into", str(into)]) == 1  # each sample has malformed items
    out = capsys.readouterr().out.splitlines()
    written = sorted(into.glob("*.md"))
    assert written
    assert out[-1] == f"wrote {len(written)} question file{'s' if len(written) > 1 else ''} to {into}; " + (
        f"skipped {len(out) - 1}"
    )
    assert all(line.startswith(f"skipped: {source}:") for line in out[:-1])
    assert main(["validate", str(into)]) == 0
    assert " 0 errors" in capsys.readouterr().out


def test_a_question_that_fails_the_check_is_reported_not_written(tmp_path: Path, capsys) -> None:
    source = tmp_path / "quiz.md"
    source.write_text(MULTI_MARKDOWN, encoding="utf-8")
    main(["import", "markdown", str(source), "--into", str(tmp_path / "out")])
    out = capsys.readouterr().out
    assert f"skipped: {source}:32: the prompt says 1 correct, but 2 options are marked `[x]`" in out
    assert not (tmp_path / "out" / "which-one-is-right.md").exists()


def test_import_never_overwrites(tmp_path: Path) -> None:
    source = tmp_path / "quiz.txt"
    source.write_text(AIKEN.split("\n\nOptions")[0] + "\n", encoding="utf-8")
    into = tmp_path / "bank"
    into.mkdir()
    (into / "Which-Two-Numbers-Are-Prime.md").write_text("mine", encoding="utf-8")
    assert main(["import", "aiken", str(source), "--into", str(into)]) == 0
    assert main(["import", "aiken", str(source), "--into", str(into)]) == 0
    assert (into / "Which-Two-Numbers-Are-Prime.md").read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in into.iterdir()) == [
        "Which-Two-Numbers-Are-Prime.md",
        "what-does-a-learning-rate-that-is-too-high-do-2.md",
        "what-does-a-learning-rate-that-is-too-high-do.md",
        "which-two-numbers-are-prime-2.md",
        "which-two-numbers-are-prime-3.md",
    ]


def test_unreadable_and_missing_sources(tmp_path: Path, capsys) -> None:
    latin = tmp_path / "latin1.csv"
    latin.write_bytes("question,options,correct\nCafé?,a|b,A\n".encode("latin-1"))
    assert main(["import", "csv", str(latin), "--into", str(tmp_path / "out")]) == 1
    assert capsys.readouterr().out.splitlines()[0].startswith(f"skipped: {latin}:2: not UTF-8 text")
    assert main(["import", "csv", str(tmp_path / "missing.csv"), "--into", str(tmp_path / "out")]) == 2
    assert "no such file" in capsys.readouterr().err
