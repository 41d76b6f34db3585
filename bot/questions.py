"""One markdown question file -> one `Question`.

Pure: no I/O and nothing from discord. A real CommonMark parser (see `markdown_blocks`) finds
only the *structure* (title, prompt, option list, sections); every part is then sliced out of the
original lines by the parser's line spans, so the markdown the author wrote reaches Discord
unchanged. Every problem is reported with its 1-based line, and parsing goes on after a problem
(a missing title, missing options) so that one run names all of them; where a near miss explains
the problem (a `### Title`, options inside a quote), the message names that line and the fix.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot import front_matter, markdown_blocks, question_hints
from bot.front_matter import MAX_DURATION as MAX_DURATION  # re-exported: the commands bound durations too
from bot.front_matter import MIN_DURATION as MIN_DURATION
from bot.markdown_blocks import Block, Document
from bot.problems import Problem, Severity, count

MAX_TITLE = 256  # Discord's embed title limit
MAX_OPTION = 1000  # leaves room for the letter in a 1,024-character embed field
MIN_OPTIONS, MAX_OPTIONS = 2, 20  # Discord allows 20 distinct reactions on a message
# A code line longer than this is wrapped by Discord and, past ~4,000, cannot fit one embed at all.
MAX_CODE_LINE = 1000
# An info string names a language (`python`, `text`); one this long is a pasted line gone wrong.
MAX_FENCE_INFO = 100

EXPLANATION_HEADINGS = frozenset({"answer", "explanation"})
READING_HEADINGS = frozenset({"reading", "references", "further reading", "recommendations", "resources"})

NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}
_COUNT_IN_PROMPT = re.compile(
    r"\b(?:which|select|choose|pick|mark|tick|identify|name|find)\s+(?:the\s+|any\s+|exactly\s+)?"
    rf"({'|'.join(NUMBER_WORDS)}|\d+)\b",
    re.IGNORECASE,
)
_MAX_COUNT_DIGITS = len(str(MAX_OPTIONS))  # bounds the number before `int()` sees it
_ATX_CLOSE = re.compile(r"(?:^|\s+)#+\s*$")  # `# Title ##`; the `#` of `C#` is text
_HTML_TAG = re.compile(r"<\s*/?\s*([A-Za-z][A-Za-z0-9-]*)")
# Options that point at other options by their place ("None of the above", "Both A and C"); a
# comparison ("a loss above 0.5") is not one: "above" counts only after "the"/"listed" or at the end.
_BY_PLACE = re.compile(
    r"\b(?:all|none|both|neither) of the (?:above|below|others|other options|options|answers|choices)\b"
    r"|\b(?:the|listed|mentioned|shown)\s+(?:above|below)\b|\b(?:above|below)(?=\W*$)"
    r"|\b(?:both|neither|only) (?-i:[A-T]) (?:and|nor|or) (?-i:[A-T])\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Option:
    text: str
    correct: bool


@dataclass(frozen=True)
class Question:
    id: str
    title: str
    body: str
    prompt: str
    options: tuple[Option, ...]
    explanation: str = ""
    reading: str = ""
    topic: str | None = None
    tags: tuple[str, ...] = ()
    difficulty: str | None = None
    duration: int | None = None
    scoring: str | None = None
    author: str | None = None
    shuffle: bool = True  # False: always posted in the file's order ("all of the above" options)
    folder: str = ""  # the question file's folder: local images are found from there

    @property
    def correct(self) -> frozenset[int]:
        """Indexes of the correct options."""
        return frozenset(i for i, option in enumerate(self.options) if option.correct)

    @property
    def stated_count(self) -> int | None:
        """How many answers the prompt says are correct, when it says so."""
        return stated_count(self.prompt)


@dataclass(frozen=True)
class Parsed:
    question: Question | None  # None when the file has an error
    problems: tuple[Problem, ...] = field(default_factory=tuple)


def _stated_word(prompt: str) -> str | None:
    match = _COUNT_IN_PROMPT.search(prompt)
    return match.group(1).lower() if match else None


def stated_count(prompt: str) -> int | None:
    """The number in "Which two…", "Select 3…"; None for "Which of the following…" (or no sane number)."""
    word = _stated_word(prompt)
    if word is None or (len(word) > _MAX_COUNT_DIGITS and word.isdigit()):
        return None
    return NUMBER_WORDS.get(word) or int(word)


def refers_by_place(option: str) -> str | None:
    """The words by which an option points at other options by their place, if it does."""
    match = _BY_PLACE.search(option)
    return match.group(0).strip() if match else None


def decode(raw: bytes, path: str) -> str | Problem:
    """UTF-8 (BOM optional) with any line ending -> text with LF endings, or the problem."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        before = raw[: error.start].replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        return Problem(
            path,
            before.count(b"\n") + 1,
            Severity.ERROR,
            f"not UTF-8 text (byte 0x{raw[error.start]:02x}); save the file as UTF-8",
        )
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_question(text: str, *, path: str, qid: str, topic: str | None = None) -> Parsed:
    """Parse one question file's text (LF line endings, see `decode`)."""
    return _Parser(text, path).parse(qid, topic)


def section_kind(name: str) -> str | None:
    """ "explanation" or "reading" for the headings of those sections, else None."""
    lowered = " ".join(name.lower().strip("#").strip().rstrip(":").split())
    if lowered in EXPLANATION_HEADINGS:
        return "explanation"
    if lowered in READING_HEADINGS:
        return "reading"
    return None


class _Parser:
    def __init__(self, text: str, path: str) -> None:
        self.lines = [line.rstrip() for line in text.split("\n")]
        self.path = path
        self.problems: list[Problem] = []
        self.shown: list[tuple[int, int]] = []  # line spans members see, for the HTML and code checks

    def error(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, Severity.ERROR, message))

    def warn(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, Severity.WARNING, message))

    def text(self, start: int, end: int) -> str:
        """Source lines [start, end) as written, without surrounding blank lines."""
        return "\n".join(self.lines[start:end]).strip("\n")

    def parse(self, qid: str, topic: str | None) -> Parsed:
        meta, first_line, found_problems = front_matter.read(self.lines, self.path)
        self.problems.extend(found_problems)
        if meta is None:
            return self.done(None)
        # Blank out the front matter so the parser's line numbers stay those of the file.
        doc = markdown_blocks.parse("\n" * first_line + "\n".join(self.lines[first_line:]))
        found = doc.blocks
        level_one = next((i for i, b in enumerate(found) if b.kind == "Heading" and b.level == 1), None)
        sections_at = next(
            (
                i
                for i in range(0 if level_one is None else level_one + 1, len(found))
                if found[i].kind == "Heading" and found[i].level <= 2 and self.is_section(found[i])
            ),
            len(found),
        )
        title_at, title = self.title(found, level_one, sections_at, first_line)
        title_line = found[title_at].start if title_at is not None else first_line
        after_title = title_at + 1 if title_at is not None else 0
        lists = [i for i in range(after_title, sections_at) if question_hints.is_option_list(found[i], self.lines)]
        if len(lists) > 1:
            self.several_questions(found, title_at, lists)
            return self.done(None)
        if not lists:
            self.without_options(found, after_title, sections_at, title_line)
            self.check_shown(doc)
            return self.done(None)
        options_at = lists[0]
        option_list = found[options_at]
        options = self.options(option_list, shuffled=meta.get("shuffle", True))
        prompt, body_end = self.prompt(found, title_at, options_at)
        body = self.text(found[title_at].end if title_at is not None else first_line, body_end)
        self.shown.append((title_line, option_list.end))
        explanation, reading = self.sections(found[options_at + 1 :])
        self.check_options(options, len(option_list.items), prompt, option_list.start + 1, body_end + 1)
        self.check_shown(doc)
        if any(p.severity is Severity.ERROR for p in self.problems):
            return self.done(None)
        return self.done(
            Question(
                id=qid,
                title=title,
                body=body,
                prompt=prompt,
                options=tuple(options),
                explanation=explanation,
                reading=reading,
                topic=topic,
                tags=tuple(meta.get("tags", ())),
                difficulty=meta.get("difficulty"),
                duration=meta.get("duration"),
                scoring=meta.get("scoring"),
                author=meta.get("author"),
                shuffle=meta.get("shuffle", True),
            )
        )

    def without_options(self, found: Sequence[Block], after_title: int, sections_at: int, title_line: int) -> None:
        """Name where the options probably are, and still check the sections after them."""
        line, message = question_hints.missing_options(found[after_title:sections_at], self.lines)
        self.error((title_line if line is None else line) + 1, message)
        rest_at = next(
            (i for i in range(after_title, sections_at) if found[i].kind == "Heading" and found[i].level <= 2),
            sections_at,
        )
        self.shown.append((title_line, found[rest_at].start if rest_at < len(found) else len(self.lines)))
        self.sections(found[rest_at:])

    def done(self, question: Question | None) -> Parsed:
        return Parsed(question, tuple(sorted(self.problems, key=lambda p: p.line)))

    def is_section(self, heading: Block) -> bool:
        return section_kind(self.heading_text(heading)) is not None

    def heading_text(self, heading: Block) -> str:
        lines = self.lines[heading.start : heading.end]
        if not lines[0].lstrip().startswith("#"):  # setext: the text, then a `===` or `---` line
            return " ".join(line.strip() for line in lines[:-1])
        return _ATX_CLOSE.sub("", lines[0].strip().lstrip("#")).strip()

    # -- title --------------------------------------------------------------------------------

    def title(
        self, found: Sequence[Block], at: int | None, sections_at: int, first_line: int
    ) -> tuple[int | None, str]:
        """The title heading's index and text; a heading of another level stands in, with an error.

        The stand-in must come before the options: a heading after them is a section, not a title.
        """
        if at is None:
            options = next((i for i in range(sections_at) if question_hints.is_option_list(found[i], self.lines)), None)
            before = sections_at if options is None else options
            at = next((i for i in range(before) if found[i].kind == "Heading"), None)
        if at is not None and found[at].level != 1:
            heading = found[at]
            self.error(
                heading.start + 1,
                f"the title is a level-{heading.level} heading: write it with one `#`, "
                f"`# {self.heading_text(heading)}`",
            )
        if at is None:
            self.error(first_line + 1, "no title: start the question with a level-1 heading `# Title`")
            return None, ""
        heading = found[at]
        title = self.heading_text(heading)
        if not title:
            self.error(heading.start + 1, "the title is empty: write it after the `#`")
        if len(title) > MAX_TITLE:
            self.error(heading.start + 1, f"title is {len(title)} characters; Discord allows {MAX_TITLE}")
        if any(b.kind != "HtmlBlock" for b in found[:at]):
            self.warn(found[0].start + 1, "text before the title is not shown")
        return at, title

    def several_questions(self, found: Sequence[Block], title_at: int | None, lists: list[int]) -> None:
        starts = []
        previous = title_at if title_at is not None else -1
        for at in lists:
            heading = next((i for i in range(previous + 1, at) if found[i].kind == "Heading"), None)
            if heading is None:
                heading = previous if previous == title_at and previous is not None else at
            starts.append(found[heading].start + 1)
            previous = at
        shown = ", ".join(map(str, starts[:10])) + (f" and {len(starts) - 10} more" if len(starts) > 10 else "")
        self.error(
            starts[0],
            f"{len(lists)} questions in one file (starting at lines {shown}): a file holds one question; "
            f"`quizbot import markdown {self.path} --into FOLDER` writes one file per question",
        )

    # -- options and prompt -------------------------------------------------------------------

    def options(self, option_list: Block, *, shuffled: bool) -> list[Option]:
        options = []
        for item in option_list.items:
            mark = question_hints.option_mark(self.lines[item.start])
            if mark is None:
                self.error(item.start + 1, "list item without `[ ]` or `[x]`: every option needs one")
                continue
            if mark.advice:
                (self.error if mark.correct is None else self.warn)(item.start + 1, mark.advice)
            if mark.correct is None:
                continue
            continuation = [
                line[mark.indent :] if line[: mark.indent].isspace() else line.lstrip()
                for line in self.lines[item.start + 1 : item.end]
            ]
            text = "\n".join([mark.rest, *continuation]).strip("\n")
            if not text.strip():
                self.error(item.start + 1, "empty option")
                continue
            if len(text) > MAX_OPTION:
                self.error(item.start + 1, f"option is {len(text)} characters; the most that fits is {MAX_OPTION}")
            if shuffled and (by_place := refers_by_place(text)):
                self.warn(
                    item.start + 1,
                    f"this option refers to others by their place (`{by_place}`), but each quiz shuffles the "
                    "options: add `shuffle: false` to the front matter to keep the file's order",
                )
            options.append(Option(text, mark.correct))
        return options

    def prompt(self, found: Sequence[Block], title_at: int | None, options_at: int) -> tuple[str, int]:
        """The bold paragraph right before the options, and the line where the body ends."""
        before = found[options_at - 1] if options_at else None
        if before is not None and options_at - 1 != title_at and before.strong_only:
            return self.text(before.start, before.end)[2:-2].strip(), before.start
        line = found[options_at].start
        self.warn(line + 1, "no bold prompt before the options, e.g. `**Which two of these are correct?**`")
        return "", line

    def check_options(self, options: list[Option], items: int, prompt: str, line: int, prompt_line: int) -> None:
        if not MIN_OPTIONS <= items <= MAX_OPTIONS:
            self.error(line, f"{count(items, 'option')}; a question needs {MIN_OPTIONS} to {MAX_OPTIONS}")
        correct = sum(option.correct for option in options)
        if options and not correct:
            self.error(line, "no option is marked correct with `[x]`")
        word = _stated_word(prompt)
        if word is not None and word.isdigit() and len(word) > _MAX_COUNT_DIGITS:
            self.error(
                prompt_line,
                f"the prompt asks for a {len(word):,}-digit number of answers; a question has at most "
                f"{MAX_OPTIONS} options",
            )
            return
        stated = stated_count(prompt)
        if stated is not None and correct and stated != correct:
            marked = f"{count(correct, 'option')} {'is' if correct == 1 else 'are'} marked `[x]`"
            self.error(prompt_line, f"the prompt says {stated} correct, but {marked}")

    # -- sections after the options -----------------------------------------------------------

    def sections(self, after: Sequence[Block]) -> tuple[str, str]:
        """The `## Answer` and `## Reading` sections (or their synonyms) after the options."""
        found: dict[str, str] = {}
        headings = [i for i, b in enumerate(after) if b.kind == "Heading" and b.level <= 2]
        if after[: headings[0] if headings else len(after)]:
            self.warn(after[0].start + 1, "text after the options, outside any section, is not shown")
        for n, i in enumerate(headings):
            heading = after[i]
            name = self.heading_text(heading).rstrip(":").strip()
            end = after[headings[n + 1]].start if n + 1 < len(headings) else len(self.lines)
            kind = section_kind(name)
            line = heading.start + 1
            if kind is None:
                self.warn(line, f"section `{name}` is not shown (known: ## Answer, ## Reading)")
            elif kind in found:
                self.warn(line, f"second {kind} section `{name}` is not shown")
            else:
                found[kind] = self.text(heading.end, end)
                self.shown.append((heading.end, end))
        if "explanation" not in found:
            last_line = len("\n".join(self.lines).rstrip("\n").split("\n"))
            self.warn(last_line, "no `## Answer` section: the reveal will show only the correct options")
        return found.get("explanation", ""), found.get("reading", "")

    # -- what members see ---------------------------------------------------------------------

    def check_shown(self, doc: Document) -> None:
        """Raw HTML and code blocks that Discord would show other than the author meant."""

        def shown(line: int) -> bool:
            return any(start <= line < end for start, end in self.shown)

        tags: dict[str, int] = {}
        for line, html in doc.html:
            if shown(line):
                match = _HTML_TAG.search(html)
                name = match.group(1).lower() if match else "!--" if "<!--" in html else None
                if name is not None and name != "img":  # an <img> is shown as an image (bot.figures)
                    tags.setdefault(name, line)
        for name, line in tags.items():
            self.warn(line + 1, question_hints.html_advice(name))
        for block in doc.code:
            if not shown(block.start):
                continue
            if len(block.info) > MAX_FENCE_INFO:
                self.error(
                    block.start + 1,
                    f"the code block's info string is {len(block.info):,} characters: after the ``` write only "
                    "the language, e.g. ```python, and put the code on the next line",
                )
            if block.longest > MAX_CODE_LINE:
                self.warn(
                    block.longest_at + 1,
                    f"a code line of {block.longest:,} characters: Discord will wrap it (keep code lines under "
                    f"{MAX_CODE_LINE:,} characters, e.g. format minified JSON over several lines)",
                )
