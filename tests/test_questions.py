"""The question-file parser: one table row per rule of the format."""

from __future__ import annotations

import textwrap

import pytest

from bot.questions import Option, Severity, decode, parse_question, stated_count

SEED_LIKE = """\
# Arya's confusion

Arya is always confused about this.

**Which two of the following statements are correct?**

- [x] Binary cross-entropy suits multi-label problems.
- [ ] Binary cross-entropy suits multi-class problems.
- [ ] Categorical cross-entropy suits multi-label problems.
- [x] Categorical cross-entropy suits multi-class problems.

## Answer

Softmax pairs with categorical cross-entropy.

## Reading

- ["Cross entropy"](https://en.wikipedia.org/wiki/Cross-entropy)
"""


def parse(text: str):
    return parse_question(textwrap.dedent(text), path="q.md", qid="q")


def problems(text: str) -> list[tuple[int, str, str]]:
    return [(p.line, p.severity.value, p.message) for p in parse(text).problems]


def test_seed_like_question_parses_into_its_parts() -> None:
    q = parse(SEED_LIKE).question
    assert q is not None
    assert q.title == "Arya's confusion"
    assert q.body == "Arya is always confused about this."
    assert q.prompt == "Which two of the following statements are correct?"
    assert [o.correct for o in q.options] == [True, False, False, True]
    assert q.options[0].text == "Binary cross-entropy suits multi-label problems."
    assert q.correct == frozenset({0, 3})
    assert q.explanation == "Softmax pairs with categorical cross-entropy."
    assert q.reading == '- ["Cross entropy"](https://en.wikipedia.org/wiki/Cross-entropy)'
    assert parse(SEED_LIKE).problems == ()


@pytest.mark.parametrize(
    ("raw", "expected_title"),
    [
        (SEED_LIKE.encode(), "Arya's confusion"),
        (b"\xef\xbb\xbf" + SEED_LIKE.encode(), "Arya's confusion"),  # BOM
        (SEED_LIKE.replace("\n", "\r\n").encode(), "Arya's confusion"),  # CRLF
        (SEED_LIKE.replace("\n", "\r").encode(), "Arya's confusion"),  # lone CR
        (SEED_LIKE.rstrip("\n").encode(), "Arya's confusion"),  # no final newline
        (SEED_LIKE.replace("\n", "   \n").encode(), "Arya's confusion"),  # trailing spaces
        (SEED_LIKE.replace("Arya's confusion", "Ошибка Арьи 混乱").encode(), "Ошибка Арьи 混乱"),
    ],
    ids=["lf", "bom", "crlf", "cr", "no-final-newline", "trailing-spaces", "any-language"],
)
def test_encodings_and_line_endings_give_the_same_question(raw: bytes, expected_title: str) -> None:
    text = decode(raw, "q.md")
    assert isinstance(text, str)
    parsed = parse_question(text, path="q.md", qid="q")
    assert parsed.problems == ()
    assert parsed.question is not None
    assert parsed.question.title == expected_title
    assert [o.correct for o in parsed.question.options] == [True, False, False, True]
    assert parsed.question.reading.endswith("Cross-entropy)")


def test_crlf_file_reports_the_same_line_numbers() -> None:
    broken = SEED_LIKE.replace("- [x] Binary", "- [x] Binary").replace("two", "three")
    lf = parse_question(decode(broken.encode(), "q.md"), path="q.md", qid="q").problems
    crlf = parse_question(decode(broken.replace("\n", "\r\n").encode(), "q.md"), path="q.md", qid="q").problems
    assert lf == crlf
    assert [p.line for p in lf] == [5]


def test_non_utf8_file_is_an_error_with_its_line() -> None:
    problem = decode(b"# Title\n\ncaf\xe9\n", "q.md")
    assert not isinstance(problem, str)
    assert (problem.line, problem.severity) == (3, Severity.ERROR)
    assert "UTF-8" in problem.message


@pytest.mark.parametrize(
    ("options_markdown", "expected"),
    [
        ("- [x] a\n- [ ] b", [Option("a", True), Option("b", False)]),
        ("- [X] upper\n- [ ] b", [Option("upper", True), Option("b", False)]),
        ("* [x] star\n* [ ] b", [Option("star", True), Option("b", False)]),
        ("+ [ ] plus\n+ [x] b", [Option("plus", False), Option("b", True)]),
        (
            "- [x] spans\n  two lines\n- [ ] b",
            [Option("spans\ntwo lines", True), Option("b", False)],
        ),
        (
            "- [x] uses `x[0]` and [a link](https://example.org)\n- [ ] b",
            [Option("uses `x[0]` and [a link](https://example.org)", True), Option("b", False)],
        ),
        (
            "- [x]\n  ```python\n  x = [1, 2]\n  ```\n- [ ] b",
            [Option("```python\nx = [1, 2]\n```", True), Option("b", False)],
        ),
        (
            "- [ ] loose list\n\n- [x] with blank lines",
            [Option("loose list", False), Option("with blank lines", True)],
        ),
    ],
    ids=["dash", "upper-x", "star", "plus", "continued", "inline-code-and-link", "code-block", "loose"],
)
def test_option_forms(options_markdown: str, expected: list[Option]) -> None:
    text = f"# T\n\n**Which of these?**\n\n{options_markdown}\n\n## Answer\n\nBecause.\n"
    parsed = parse_question(text, path="q.md", qid="q")
    assert parsed.problems == ()
    assert parsed.question is not None
    assert list(parsed.question.options) == expected


def test_task_lines_inside_fenced_code_are_never_options() -> None:
    text = """\
    # T

    Look at this checklist:

    ```markdown
    - [x] not an option
    - [ ] not an option either
    ```

    **Which of these?**

    - [ ] a
    - [x] b

    ## Answer

    ```
    - [x] also not an option
    ```
    """
    q = parse(text).question
    assert q is not None
    assert [o.text for o in q.options] == ["a", "b"]
    assert "- [x] not an option" in q.body
    assert "- [x] also not an option" in q.explanation


def test_body_keeps_markdown_exactly_as_written() -> None:
    body = (
        "Prose with **bold**.\n\n> a quote\n\n- a plain bullet\n- another\n\n"
        "![img](https://example.org/x.png)\n\n<details>html</details>\n\n```py\nprint('hi')\n```"
    )
    q = parse_question(f"# T\n\n{body}\n\n**Pick one?**\n\n- [x] a\n- [ ] b\n\n## Answer\n\nok\n", path="q", qid="q")
    assert q.question is not None
    assert q.question.body == body


@pytest.mark.parametrize(
    ("heading", "field"),
    [
        ("## Answer", "explanation"),
        ("## Explanation", "explanation"),
        ("## answer:", "explanation"),
        ("## Reading", "reading"),
        ("## References", "reading"),
        ("## Further reading", "reading"),
        ("## Recommendations", "reading"),
        ("## Resources", "reading"),
    ],
)
def test_section_heading_variants(heading: str, field: str) -> None:
    extra = "" if field == "explanation" else "## Answer\n\nwhy\n\n"
    text = f"# T\n\n**Q?**\n\n- [x] a\n- [ ] b\n\n{extra}{heading}\n\nsection text\n"
    parsed = parse_question(text, path="q", qid="q")
    assert parsed.problems == ()
    assert getattr(parsed.question, field) == "section text"


@pytest.mark.parametrize(
    ("prompt", "count"),
    [
        ("Which two of the following statements are correct?", 2),
        ("Which THREE of these are true?", 3),
        ("Select three answers.", 3),
        ("Choose 2 options.", 2),
        ("Pick the four that apply.", 4),
        ("Which one of these is right?", 1),
        ("Which ten of the following?", 10),
        ("Which of the following statements are correct?", None),
        ("What should Maya do?", None),
        ("Which two-layer network trains faster?", 2),
    ],
)
def test_count_stated_in_prompt(prompt: str, count: int | None) -> None:
    assert stated_count(prompt) == count


# Each row: a broken or questionable file, and exactly the problems it must report.
PROBLEM_TABLE = [
    pytest.param(
        "Just prose.\n\n- [x] a\n- [ ] b\n\n## Answer\n\nx\n",
        [
            (1, "error", "no title: start the question with a level-1 heading `# Title`"),
            (3, "warning", "no bold prompt before the options, e.g. `**Which two of these are correct?**`"),
        ],
        id="no-title",
    ),
    pytest.param(
        "# T\n\nNo options here.\n\n## Answer\n\nx\n",
        [(1, "error", "no options: write them as a task list, `- [x] correct` and `- [ ] wrong`")],
        id="no-options",
    ),
    pytest.param(
        "# T\n\n**Q?**\n\n- [x] only one\n\n## Answer\n\nx\n",
        [(5, "error", "1 option; a question needs 2 to 20")],
        id="one-option",
    ),
    pytest.param(
        "# T\n\n**Q?**\n\n" + "".join(f"- [{'x' if i == 0 else ' '}] o{i}\n" for i in range(21)) + "\n## Answer\n\nx\n",
        [(5, "error", "21 options; a question needs 2 to 20")],
        id="too-many-options",
    ),
    pytest.param(
        "# T\n\n**Q?**\n\n- [ ] a\n- [ ] b\n\n## Answer\n\nx\n",
        [(5, "error", "no option is marked correct with `[x]`")],
        id="none-correct",
    ),
    pytest.param(
        "# T\n\n**Which two are right?**\n\n- [x] a\n- [ ] b\n- [ ] c\n\n## Answer\n\nx\n",
        [(3, "error", "the prompt says 2 correct, but 1 option is marked `[x]`")],
        id="count-mismatch",
    ),
    pytest.param(
        "# T\n\n**Q?**\n\n- [x] a\n- plain item\n\n## Answer\n\nx\n",
        [(6, "error", "list item without `[ ]` or `[x]`: every option needs one")],
        id="plain-item-among-options",
    ),
    pytest.param(
        "# " + "t" * 257 + "\n\n**Q?**\n\n- [x] a\n- [ ] b\n\n## Answer\n\nx\n",
        [(1, "error", "title is 257 characters; Discord allows 256")],
        id="long-title",
    ),
    pytest.param(
        "# T\n\n**Q?**\n\n- [x] " + "o" * 1001 + "\n- [ ] b\n\n## Answer\n\nx\n",
        [(5, "error", "option is 1001 characters; the most that fits is 1000")],
        id="long-option",
    ),
    pytest.param(
        "# T\n\nWhich one?\n\n- [x] a\n- [ ] b\n\n## Answer\n\nx\n",
        [(5, "warning", "no bold prompt before the options, e.g. `**Which two of these are correct?**`")],
        id="no-prompt",
    ),
    pytest.param(
        "# T\n\n**Q?**\n\n- [x] a\n- [ ] b\n",
        [(6, "warning", "no `## Answer` section: the reveal will show only the correct options")],
        id="no-answer",
    ),
    pytest.param(
        "# T\n\n**Q?**\n\n- [x] a\n- [ ] b\n\n## Answer\n\nx\n\n## Notes\n\ny\n",
        [(12, "warning", "section `Notes` is not shown (known: ## Answer, ## Reading)")],
        id="unknown-section",
    ),
    pytest.param(
        "# T\n\n**Q?**\n\n- [x] a\n- [ ] b\n\nstray\n\n## Answer\n\nx\n",
        [(8, "warning", "text after the options, outside any section, is not shown")],
        id="stray-text",
    ),
    pytest.param(
        "# T\n\n**Q?**\n\n- [x] a\n- [ ] b\n\n## Answer\n\nx\n\n## Explanation\n\ny\n",
        [(12, "warning", "second explanation section `Explanation` is not shown")],
        id="duplicate-section",
    ),
]


@pytest.mark.parametrize(("text", "expected"), PROBLEM_TABLE)
def test_problems_are_reported_with_line_and_message(text: str, expected: list) -> None:
    assert problems(text) == expected


def test_a_file_with_an_error_gives_no_question_but_warnings_keep_it() -> None:
    assert parse("# T\n\n**Q?**\n\n- [ ] a\n- [ ] b\n").question is None
    assert parse("# T\n\nQ?\n\n- [x] a\n- [ ] b\n").question is not None


def test_every_problem_in_a_file_is_reported_in_one_run() -> None:
    text = "---\ndifficulty: hardest\n---\n# T\n\n**Which two?**\n\n- [x] a\n- [ ] b\n- text\n"
    lines = [line for line, _, _ in problems(text)]
    assert lines == [2, 6, 10, 10]


FRONT_MATTER_TABLE = [
    pytest.param(
        "tags: [metrics, recall]\ndifficulty: hard\nduration: 90\nscoring: partial\nauthor: Ana",
        [],
        id="all-keys",
    ),
    pytest.param("tgas: [x]", [(2, "error", "front matter: unknown key `tgas` (did you mean `tags`?)")], id="typo"),
    pytest.param(
        "tags: metrics",
        [(2, "error", "front matter: `tags` must be a list of words, e.g. `[metrics, recall]`")],
        id="tags-not-list",
    ),
    pytest.param(
        "author: Ana\ndifficulty: brutal",
        [(3, "error", "front matter: `difficulty` must be one of easy, medium, hard")],
        id="difficulty",
    ),
    pytest.param(
        "duration: soon",
        [(2, "error", "front matter: `duration` must be a whole number of seconds")],
        id="duration",
    ),
    pytest.param(
        "duration: 2",
        [(2, "error", "front matter: `duration` must be between 5 and 86400 seconds")],
        id="short",
    ),
    pytest.param(
        "scoring: lenient",
        [(2, "error", "front matter: `scoring` must be one of exact, partial")],
        id="scoring",
    ),
    pytest.param("tags: [a\nb: c", [(3, "error", "front matter: did not find expected ',' or ']'")], id="bad-yaml"),
    pytest.param("- a list", [(2, "error", "front matter must be `key: value` lines")], id="not-a-mapping"),
    pytest.param("", [], id="empty"),
]


@pytest.mark.parametrize(("front", "expected"), FRONT_MATTER_TABLE)
def test_front_matter(front: str, expected: list) -> None:
    text = f"---\n{front}\n---\n# T\n\n**Q?**\n\n- [x] a\n- [ ] b\n\n## Answer\n\nx\n"
    assert problems(text) == expected


def test_front_matter_values_reach_the_question() -> None:
    text = "---\ntags: [metrics]\ndifficulty: hard\nduration: 90\nscoring: partial\nauthor: Ana\n---\n" + SEED_LIKE
    q = parse(text).question
    assert q is not None
    assert (q.tags, q.difficulty, q.duration, q.scoring, q.author) == (
        ("metrics",),
        "hard",
        90,
        "partial",
        "Ana",
    )


def test_unclosed_front_matter_is_an_error() -> None:
    assert problems("---\ntags: [a]\n# T\n") == [(1, "error", "front matter is not closed: add a `---` line after it")]


def test_line_numbers_count_the_front_matter() -> None:
    text = "---\ntags: [a]\n---\n# T\n\n**Which two?**\n\n- [x] a\n- [ ] b\n\n## Answer\n\nx\n"
    assert problems(text) == [(6, "error", "the prompt says 2 correct, but 1 option is marked `[x]`")]
