"""The validator tells the whole truth: every problem in one run, at the line of its cause, with the fix."""

from __future__ import annotations

import pytest

from bot.questions import MAX_CODE_LINE, Option, parse_question

ANSWER = "\n\n## Answer\n\nBecause.\n"


def problems(text: str) -> list[tuple[int, str, str]]:
    return [(p.line, p.severity.value, p.message) for p in parse_question(text, path="q.md", qid="q").problems]


def test_a_file_without_title_still_reports_its_option_problems() -> None:
    assert problems("Just prose.\n\n**Which one?**\n\n- [ ] only option" + ANSWER) == [
        (1, "error", "no title: start the question with a level-1 heading `# Title`"),
        (5, "error", "1 option; a question needs 2 to 20"),
        (5, "error", "no option is marked correct with `[x]`"),
    ]


def test_a_file_without_options_still_reports_its_title_and_sections() -> None:
    assert problems("### T\n\nNo options.\n\n## Notes\n\nx\n") == [
        (1, "error", "the title is a level-3 heading: write it with one `#`, `# T`"),
        (1, "error", "no options: write them as a task list, `- [x] correct` and `- [ ] wrong`"),
        (5, "warning", "section `Notes` is not shown (known: ## Answer, ## Reading)"),
        (7, "warning", "no `## Answer` section: the reveal will show only the correct options"),
    ]


OPTIONS_MISPLACED = [
    pytest.param(
        "# T\n\n**Q?**\n\n> - [ ] a\n> - [x] b",
        (5, "the options are inside a quote: start each option line with `- [ ]`, without `>`"),
        id="in-a-quote",
    ),
    pytest.param(
        "# T\n\n**Q?**\n\n- Choices:\n  - [ ] a\n  - [x] b",
        (6, "the options are indented inside another list item: start each `- [ ]` at the line start"),
        id="in-a-list",
    ),
    pytest.param(
        "# T\n\n**Q?**\n\n    - [ ] a\n    - [x] b",
        (5, "the options are indented 4 spaces, which makes a code block: start each `- [ ]` at the line start"),
        id="indented-code",
    ),
    pytest.param(
        "# T\n\n**Q?**\n\n1. [ ] a\n2. [x] b",
        (5, "the options are a numbered list: write them as bullets, `- [x]` and `- [ ]`"),
        id="numbered",
    ),
    pytest.param(
        "# T\n\nSome context:\n\n- a fact\n\n## Choices\n\n- first\n- second",
        (9, "plain bullets, not options: mark each one `- [x]` (correct) or `- [ ]` (wrong)"),
        id="plain-bullets-under-a-choices-heading",
    ),
    pytest.param(
        "# T\n\n```markdown\n- [x] a\n- [ ] b\n```",
        (None, "no options: write them as a task list, `- [x] correct` and `- [ ] wrong`"),
        id="only-in-fenced-code",
    ),
]


@pytest.mark.parametrize(("text", "expected"), OPTIONS_MISPLACED)
def test_missing_options_name_the_line_of_the_cause(text: str, expected: tuple[int | None, str]) -> None:
    line, message = expected
    errors = [p for p in problems(text + ANSWER) if p[1] == "error"]
    assert errors == [(line or 1, "error", message)]


@pytest.mark.parametrize(
    ("text", "title_error"),
    [
        (
            "### Title\n\n**Q?**\n\n- [x] a\n- [ ] b",
            (1, "the title is a level-3 heading: write it with one `#`, `# Title`"),
        ),
        (
            "Intro line.\n\nMore.\n\n## Title - part one\n\n**Q?**\n\n- [x] a\n- [ ] b",
            (5, "the title is a level-2 heading: write it with one `#`, `# Title - part one`"),
        ),
        ("#\n\n**Q?**\n\n- [x] a\n- [ ] b", (1, "the title is empty: write it after the `#`")),
    ],
    ids=["level-3", "level-2-on-line-5", "empty"],
)
def test_title_problems_name_the_heading_line(text: str, title_error: tuple[int, str]) -> None:
    parsed = parse_question(text + ANSWER, path="q.md", qid="q")
    assert parsed.question is None
    assert [(p.line, p.message) for p in parsed.problems if p.severity == "error"] == [title_error]


def test_a_heading_after_the_options_is_not_taken_for_the_title() -> None:
    assert problems("Intro.\n\n**Q?**\n\n- [x] a\n- [ ] b\n\n### Note\n\nx" + ANSWER)[0] == (
        1,
        "error",
        "no title: start the question with a level-1 heading `# Title`",
    )


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Setext title\n============", "Setext title"),
        ("Setext over\ntwo lines\n===", "Setext over two lines"),
        ("# C#", "C#"),
        ("# Closed title ##", "Closed title"),
    ],
)
def test_title_text_is_only_the_heading_text(text: str, title: str) -> None:
    parsed = parse_question(f"{text}\n\n**Q?**\n\n- [x] a\n- [ ] b{ANSWER}", path="q.md", qid="q")
    assert parsed.problems == ()
    assert parsed.question is not None
    assert parsed.question.title == title


MARKS = [
    pytest.param("- [X] a\n- [ ] b", [True, False], [], id="upper-x-silently"),
    pytest.param(
        "- [ ]Text\n- [x] b",
        [False, True],
        [(5, "warning", "no space after `[ ]`: write `- [ ] Text`")],
        id="no-space-after-bracket",
    ),
    pytest.param(
        "- [×] a\n- [ ] b",  # noqa: RUF001
        [True, False],
        [(5, "warning", "`[×]` is read as correct; write `[x]`, which every markdown viewer shows")],  # noqa: RUF001
        id="multiplication-sign",
    ),
    pytest.param(
        "- [✓] a\n- [] b",
        [True, False],
        [
            (5, "warning", "`[✓]` is read as correct; write `[x]`, which every markdown viewer shows"),
            (6, "warning", "`[]` is read as wrong; write `[ ]` with a space"),
        ],
        id="check-mark-and-empty-brackets",
    ),
    pytest.param(
        "- [x] a\n- [?] b\n- [ ] c",
        None,
        [(6, "error", "unknown mark `[?]`: write `[x]` for correct or `[ ]` for wrong")],
        id="unknown-mark",
    ),
]


@pytest.mark.parametrize(("options", "correct", "expected"), MARKS)
def test_check_box_variants(options: str, correct: list[bool] | None, expected: list) -> None:
    text = f"# T\n\n**Q?**\n\n{options}{ANSWER}"
    parsed = parse_question(text, path="q.md", qid="q")
    assert [(p.line, p.severity.value, p.message) for p in parsed.problems] == expected
    assert (None if parsed.question is None else [o.correct for o in parsed.question.options]) == correct


def test_no_space_option_keeps_its_text() -> None:
    parsed = parse_question(f"# T\n\n**Q?**\n\n- [x]Right\n- [ ] wrong{ANSWER}", path="q.md", qid="q")
    assert parsed.question is not None
    assert parsed.question.options == (Option("Right", True), Option("wrong", False))


def test_several_questions_in_one_file_are_an_error_naming_where_each_starts() -> None:
    text = (
        "# Python quiz\n\n#### Q1. First?\n\n- [x] a\n- [ ] b\n\n"
        "#### Q2. Second?\n\n```py\nx = 1\n```\n\n- [ ] a\n- [x] b\n\n#### Q3. Third?\n\n- [ ] a\n- [x] b\n"
    )
    assert problems(text) == [
        (
            3,
            "error",
            "3 questions in one file (starting at lines 3, 8, 17): a file holds one question; "
            "`quizbot import markdown q.md --into FOLDER` writes one file per question",
        )
    ]


def test_a_checklist_in_the_answer_is_not_a_second_question() -> None:
    text = "# T\n\n**Q?**\n\n- [x] a\n- [ ] b\n\n## Answer\n\nSteps:\n\n- [x] read\n- [ ] skip\n"
    assert problems(text) == []


HTML = [
    pytest.param("See <img src='https://e.org/x.png'> here.", [], id="img is shown as an image"),
    pytest.param(
        "<quiz>\nhello\n</quiz>",
        [(3, "raw HTML `<quiz>` is shown to members as text, not rendered: write it in markdown")],
        id="block",
    ),
    pytest.param(
        "Note <!-- hidden? --> and <b>bold</b> and <b>again</b>.",
        [
            (3, "an HTML comment `<!-- … -->` is shown to members as text: remove it or move it before the title"),
            (3, "raw HTML `<b>` is shown to members as text, not rendered: write it in markdown"),
        ],
        id="comment-and-one-warning-per-tag",
    ),
    pytest.param("Code `<b>` and <https://example.org> are fine.", [], id="code-span-and-autolink"),
    pytest.param("```html\n<div>in code</div>\n```", [], id="code-block"),
]


@pytest.mark.parametrize(("body", "expected"), HTML)
def test_raw_html_in_what_members_see_is_a_warning_naming_the_tag(body: str, expected: list) -> None:
    text = f"<!-- licence: before the title, never shown -->\n# T\n\n{body}\n\n**Q?**\n\n- [x] a\n- [ ] b{ANSWER}"
    assert [(line - 1, message) for line, _, message in problems(text)] == expected


def test_raw_html_in_options_and_answer_is_found_but_not_in_hidden_sections() -> None:
    text = "# T\n\n**Q?**\n\n- [x] a<br>b\n- [ ] c\n\n## Answer\n\n<sup>1</sup>\n\n## Notes\n\n<span>x</span>\n"
    assert [(line, message.split(" is ")[0]) for line, _, message in problems(text)] == [
        (5, "raw HTML `<br>`"),
        (10, "raw HTML `<sup>`"),
        (12, "section `Notes`"),
    ]


def test_a_code_line_too_long_for_discord_is_a_warning_with_its_line() -> None:
    text = f"# T\n\n**Q?**\n\n- [x] a\n- [ ] b\n\n## Answer\n\n```json\n{{}}\n{'[1]' * 400}\n```\n"
    assert problems(text) == [
        (
            12,
            "warning",
            f"a code line of 1,200 characters: Discord will wrap it (keep code lines under {MAX_CODE_LINE:,} "
            "characters, e.g. format minified JSON over several lines)",
        )
    ]


def test_an_absurd_fence_info_string_is_an_error_with_its_line() -> None:
    text = f"# T\n\n```{'python ' * 20}\nx\n```\n\n**Q?**\n\n- [x] a\n- [ ] b{ANSWER}"
    assert problems(text) == [
        (
            3,
            "error",
            "the code block's info string is 139 characters: after the ``` write only the language, "
            "e.g. ```python, and put the code on the next line",
        )
    ]


def test_a_prompt_with_thousands_of_digits_is_a_problem_not_a_crash() -> None:
    text = f"# T\n\n**Which {'9' * 5000} of these?**\n\n- [x] a\n- [ ] b{ANSWER}"
    assert problems(text) == [
        (3, "error", "the prompt asks for a 5,000-digit number of answers; a question has at most 20 options")
    ]


def test_a_front_matter_number_with_thousands_of_digits_is_a_problem_not_a_crash() -> None:
    text = f"---\nauthor: Ana\nduration: {'9' * 5000}\n---\n# T\n\n**Q?**\n\n- [x] a\n- [ ] b{ANSWER}"
    assert problems(text) == [(3, "error", "front matter: a number of 5000 digits is too long to be a value")]


def test_thousands_of_unknown_keys_are_each_reported_at_their_line() -> None:
    front = "\n".join(f"key_{n}: {n}" for n in range(3000))
    found = problems(f"---\n{front}\nauthr: Ana\n---\n# T\n\n**Q?**\n\n- [x] a\n- [ ] b{ANSWER}")
    assert len(found) == 3001
    assert found[1234] == (
        1236,
        "error",
        "front matter: unknown key `key_1234` (known keys: tags, difficulty, duration, scoring, author, shuffle)",
    )
    assert found[-1] == (3002, "error", "front matter: unknown key `authr` (did you mean `author`?)")
