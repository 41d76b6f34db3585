"""Loading a folder of question files: the shipped bank, and a bank with broken files in it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.__main__ import main
from bot.bank import load_bank

SHIPPED = Path(__file__).resolve().parent.parent / "questions"
GOOD = "# Good\n\n**Which two are right?**\n\n- [x] a\n- [x] b\n- [ ] c\n\n## Answer\n\nBecause.\n"


def test_every_shipped_question_is_valid_without_warnings() -> None:
    bank = load_bank([SHIPPED])
    assert [str(p) for p in bank.problems] == []
    assert bank.files == len(bank.questions) >= 31


def test_shipped_bank_has_at_least_three_topics_and_multi_answer_questions() -> None:
    bank = load_bank([SHIPPED])
    topics = {q.topic for q in bank.questions.values()}
    assert len(topics) >= 3
    correct_counts = {len(q.correct) for q in bank.questions.values()}
    assert {1, 2, 3} <= correct_counts


def write(root: Path, relative: str, content: str | bytes) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")


@pytest.fixture
def mixed_bank(tmp_path: Path) -> Path:
    write(tmp_path, "ml/good.md", GOOD)
    write(tmp_path, "ml/no-correct.md", GOOD.replace("[x]", "[ ]"))
    write(tmp_path, "stats/latin1.md", "# Café\n".encode("latin-1"))
    write(tmp_path, "stats/also-good.md", "---\ntags: [basics]\n---\n" + GOOD)
    write(tmp_path, "README.md", "# How to write questions\n")
    return tmp_path


def test_broken_files_are_reported_and_valid_questions_still_load(mixed_bank: Path) -> None:
    bank = load_bank([mixed_bank])
    assert sorted(bank.questions) == ["ml/good", "stats/also-good"]
    assert [(Path(p.path).name, p.line, p.severity.value) for p in bank.problems] == [
        ("no-correct.md", 5, "error"),
        ("latin1.md", 1, "error"),
    ]
    assert bank.files == 4  # the README is documentation, not a question


def test_ids_topics_and_tags(mixed_bank: Path) -> None:
    bank = load_bank([mixed_bank])
    assert bank.get("ml/good").topic == "ml"
    assert bank.topics() == ["basics", "ml", "stats"]
    assert [q.id for q in bank.in_topic("basics")] == ["stats/also-good"]
    assert [q.id for q in bank.search("GOOD")] == ["ml/good", "stats/also-good"]
    assert bank.closest_ids("ml/god") == ["ml/good"]


def test_ids_differing_only_in_case_are_an_error(tmp_path: Path) -> None:
    write(tmp_path, "ml/Good.md", GOOD)
    write(tmp_path, "ml/good.md", GOOD)
    bank = load_bank([tmp_path])
    assert len(bank.questions) == 1
    assert [p.message for p in bank.problems] == ["id `ml/good` differs from `ml/Good` only in case"]


def test_validate_prints_each_problem_and_exits_1_on_errors(mixed_bank: Path, capsys) -> None:
    assert main(["validate", str(mixed_bank)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{mixed_bank / 'ml/no-correct.md'}:5: error: no option is marked correct with `[x]`"
    assert out[1].startswith(f"{mixed_bank / 'stats/latin1.md'}:1: error: not UTF-8 text")
    assert out[2] == (  # bank-level lints come after the per-file lines
        f"{mixed_bank / 'ml/good.md'}: warning: nearly the same question (prompt, options and body) as "
        f"{mixed_bank / 'stats/also-good.md'}: keep one, or make them differ"
    )
    assert out[-1] == "2 questions ok, 2 errors, 1 warning in 4 files"


def test_validate_summary_speaks_english_for_one(tmp_path: Path, capsys) -> None:
    write(tmp_path, "q.md", GOOD.replace("## Answer\n\nBecause.\n", ""))
    assert main(["validate", str(tmp_path)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "1 question ok, 0 errors, 1 warning in 1 file"


def test_validate_strict_fails_on_warnings(tmp_path: Path, capsys) -> None:
    write(tmp_path, "q.md", GOOD.replace("## Answer\n\nBecause.\n", ""))
    assert main(["validate", str(tmp_path)]) == 0
    assert main(["validate", "--strict", str(tmp_path)]) == 1
    assert capsys.readouterr().out.splitlines()[-1] == (
        "1 question ok, 0 errors, 1 warning in 1 file — failed because --strict counts warnings as errors"
    )


def test_validate_a_single_file_and_a_missing_path(tmp_path: Path, capsys) -> None:
    write(tmp_path, "one.md", GOOD)
    assert main(["validate", str(tmp_path / "one.md")]) == 0
    assert main(["validate", str(tmp_path / "missing")]) == 2
    assert "no such file or folder" in capsys.readouterr().err


def test_an_unreadable_file_is_reported_with_its_path_and_the_rest_loads(tmp_path: Path) -> None:
    write(tmp_path, "ml/good.md", GOOD)
    (tmp_path / "ml").joinpath("unreadable.md").symlink_to("/proc/self/mem")  # reading it is an I/O error
    bank = load_bank([tmp_path])
    assert sorted(bank.questions) == ["ml/good"]
    assert [str(p) for p in bank.problems] == [
        f"{tmp_path / 'ml/unreadable.md'}: error: cannot read the file: Input/output error"
    ]


def test_parallel_load_gives_the_same_bank_as_serial(mixed_bank: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import bot.bank

    monkeypatch.setattr(bot.bank, "PARALLEL_FROM", 1)
    assert load_bank([SHIPPED, mixed_bank], processes=2) == load_bank([SHIPPED, mixed_bank], processes=1)


def test_a_reload_keeps_the_previous_version_of_a_question_whose_file_broke(tmp_path: Path) -> None:
    write(tmp_path, "ml/stays.md", GOOD)
    write(tmp_path, "ml/breaks.md", GOOD)
    write(tmp_path, "ml/removed.md", GOOD)
    before = load_bank([tmp_path])
    write(tmp_path, "ml/breaks.md", GOOD.replace("[x]", "[ ]"))
    (tmp_path / "ml/removed.md").unlink()
    write(tmp_path, "ml/new.md", GOOD)
    after = load_bank([tmp_path]).keeping_what_broke(before)
    assert sorted(after.questions) == ["ml/breaks", "ml/new", "ml/stays"]
    assert after.questions["ml/breaks"] == before.questions["ml/breaks"]
    assert [Path(p.path).name for p in after.problems] == ["breaks.md"]
