"""Image references, the path rules for bank files, and what `validate` says about them."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.bank import load_bank
from bot.figures import UPLOAD_LIMIT, find_images, resolve, without_images
from bot.media import media
from bot.option_order import as_posted
from bot.outgoing import Attachment
from bot.questions import Option, Question
from bot.render import question_posts

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 100


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("![a confusion matrix](figures/cm.png)", [("figures/cm.png", "a confusion matrix")]),
        ('![](<with space.png> "title")', [("with space.png", "")]),
        ('![curve](curve.png "Loss per epoch")', [("curve.png", "curve")]),
        ("![remote](https://example.org/x.webp)", [("https://example.org/x.webp", "remote")]),
        ('<img src="a.png" alt="A">', [("a.png", "A")]),
        ("<IMG alt='B' SRC='b.gif'/>", [("b.gif", "B")]),
        ("<img src=c.jpg>", [("c.jpg", "")]),
        ("`![not](an-image.png)`", []),
        ("```\n![not](an-image.png)\n```", []),
        ("[a link](page.png) is no image", []),
    ],
)
def test_image_references_are_found_outside_code(text: str, found: list[tuple[str, str]]) -> None:
    assert [(i.src, i.alt) for i in find_images(text)] == found


@pytest.mark.parametrize(
    ("src", "folder", "resolved"),
    [
        ("cm.png", "evaluation", "evaluation/cm.png"),
        ("../figures/cm.png", "evaluation", "figures/cm.png"),
        ("./a/../b.png", ".", "b.png"),
        ("../cm.png", ".", None),
        ("../../cm.png", "evaluation", None),
        ("/etc/passwd.png", "evaluation", None),
        ("C:/x.png", "evaluation", None),
        ("..\\..\\x.png", "evaluation", None),
        ("file:///x.png", "evaluation", None),
    ],
)
def test_local_images_stay_inside_the_bank(src: str, folder: str, resolved: str | None) -> None:
    assert resolve(src, folder) == resolved


def test_the_text_keeps_the_alt_text_where_the_image_was() -> None:
    assert without_images("See ![the curve](c.png) below.") == "See 🖼️ *the curve* below."


def test_a_local_figure_is_uploaded_and_a_remote_one_shown_by_url() -> None:
    shown = media("question", [("", "![x](../f/a.PNG)\n\n![y](https://e.org/b.png)")], "/bank/topic", 0)
    assert shown.files == (Attachment("question-figure-1.png", path="/bank/f/a.PNG"),)
    assert [e["image"]["url"] for e in shown.figures] == ["attachment://question-figure-1.png", "https://e.org/b.png"]
    assert shown.formulas is None


QUESTION = """# Figures

{body}

**Which one?**

- [x] yes
- [ ] no

## Answer

Because.
"""


def _bank_with(tmp_path: Path, body: str, files: dict[str, bytes]) -> list[str]:
    root = tmp_path / "bank"
    (root / "topic").mkdir(parents=True)
    for name, content in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(content)
    (root / "topic" / "q.md").write_text(QUESTION.format(body=body))
    (tmp_path / "outside.png").write_bytes(PNG)
    bank = load_bank([root])
    return [f"{Path(p.path).name}:{p.line}: {p.message}" for p in bank.problems if p.severity == "error"]


@pytest.mark.parametrize(
    ("body", "files", "problem"),
    [
        ("![m](missing.png)", {}, "q.md:3: image `missing.png`: no such file"),
        ("![o](../../outside.png)", {}, "q.md:3: image `../../outside.png` is outside the bank folder"),
        ("Text\n\n![s](fig.svg)", {"topic/fig.svg": b"<svg/>"}, "q.md:5: image `fig.svg`: Discord shows only PNG"),
        ("![b](big.png)", {"topic/big.png": PNG + b"\0" * UPLOAD_LIMIT}, "q.md:3: image `big.png` is 10.0 MB"),
        ("![h](http://e.org/x.png)", {}, "q.md:3: image `http://e.org/x.png`: only https:// links"),
        ("$\\frac{a}{$", {}, "q.md:3: cannot render `\\frac{a}{`"),
        ("ok\n\n$$\\begin{pmatrix}1\\end{bmatrix}$$", {}, "q.md:5: cannot render"),
        ("\n".join(f"![{i}](f.png)" for i in range(10)), {"topic/f.png": PNG}, "q.md:12: 10 images for one message"),
    ],
)
def test_validate_names_each_image_and_formula_problem(
    tmp_path: Path, body: str, files: dict[str, bytes], problem: str
) -> None:
    problems = _bank_with(tmp_path, body, files)
    assert len(problems) == 1
    assert problems[0].startswith(problem)


def test_a_good_figure_and_formula_pass(tmp_path: Path) -> None:
    assert _bank_with(tmp_path, "![f](../figs/f.png) and $\\sqrt{d_k}$", {"figs/f.png": PNG}) == []


def test_the_formula_image_labels_options_in_the_posted_order() -> None:
    question = Question("t/q", "T", "", "Which?", (Option("$a$", True), Option("plain", False), Option("$c$", False)))
    [post] = question_posts(as_posted(question, (2, 0, 1)), 1_800_000_000)
    [formulas] = post.files
    assert formulas.rows == (("A", "$c$"), ("B", "$a$"))
    assert post.embeds[-1]["image"]["url"] == "attachment://question-formulas.png"
