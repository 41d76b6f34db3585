"""config.yaml: the example loads, and every wrong value names its key."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_config, parse_config, token_from_environment

ROOT = Path(__file__).resolve().parent.parent


def test_example_config_loads_with_documented_defaults() -> None:
    config = load_config(ROOT / "config.example.yaml")
    assert config == parse_config({}, base=ROOT)
    assert config.discord.api_base_url == "https://discord.com/api/v10"
    assert config.database_path == ROOT / "quiz.sqlite3"
    assert config.questions_path == ROOT / "questions"
    assert (config.quiz.duration_seconds, config.quiz.scoring, config.quiz.leaderboard_size) == (
        60,
        "exact",
        10,
    )


def test_values_are_read() -> None:
    config = parse_config(
        {
            "discord": {"dev_guild_id": 42, "api_base_url": "http://127.0.0.1:5/api/v10"},
            "quiz": {"scoring": "partial", "moderator_role_ids": [7, 8], "duration_seconds": 30},
            "database": {"path": "/tmp/x.db"},
        },
        base=Path("/srv"),
    )
    assert config.discord.dev_guild_id == 42
    assert config.quiz.moderator_role_ids == (7, 8)
    assert config.quiz.scoring == "partial"
    assert config.database_path == Path("/tmp/x.db")
    assert config.questions_path == Path("/srv/questions")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"quiz": {"scoring": "lenient"}}, "quiz.scoring: must be exact or partial"),
        ({"quiz": {"duration_seconds": 2}}, "quiz.duration_seconds: must be between 5 and 86400"),
        ({"quiz": {"duration_seconds": "60"}}, "quiz.duration_seconds: must be a whole number, not '60'"),
        ({"quiz": {"duration_seconds": True}}, "quiz.duration_seconds: must be a whole number, not True"),
        ({"quiz": {"leaderboard_size": 0}}, "quiz.leaderboard_size: must be between 1 and 25"),
        (
            {"quiz": {"moderator_role_ids": [1, "x"]}},
            "quiz.moderator_role_ids: must be a list of Discord ids",
        ),
        ({"quiz": {"moderator_role_ids": 5}}, "quiz.moderator_role_ids: must be a list, not 5"),
        ({"quiz": {"scorng": "exact"}}, "quiz.scorng: unknown key (did you mean `quiz.scoring`?)"),
        ({"quizz": {}}, "quizz: unknown key (did you mean `quiz`?)"),
        ({"quiz": []}, "quiz: must be a mapping of `key: value` lines"),
        ({"discord": {"gateway_url": "http://x"}}, "discord.gateway_url: must start with ws:// or wss://"),
        (
            {"discord": {"api_base_url": "discord.com"}},
            "discord.api_base_url: must start with http:// or https://",
        ),
        ({"discord": {"dev_guild_id": -1}}, "discord.dev_guild_id: must be a Discord id (a positive number)"),
        ({"database": {"path": ""}}, "database.path: must not be empty"),
        ({"quiz": {"discussion_threads": "yes"}}, "quiz.discussion_threads: must be true or false, not 'yes'"),
        ({"quiz": {"leaderboard_size": True}}, "quiz.leaderboard_size: must be a whole number, not True"),
        (["a"], "the file: must be a mapping of `key: value` lines"),
    ],
)
def test_wrong_values_name_their_key(data: object, message: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_config(data)
    assert str(error.value).startswith(message)


def test_file_errors_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "config.yaml"
    bad.write_text("quiz:\n  scoring: [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"config.yaml: not valid YAML \(line 3\)"):
        load_config(bad)
    with pytest.raises(ConfigError, match="no such file"):
        load_config(tmp_path / "missing.yaml")
    bad.write_text("quiz:\n  scoring: lenient\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"config.yaml: quiz.scoring: must be exact or partial"):
        load_config(bad)


@pytest.mark.parametrize("environ", [{}, {"DISCORD_TOKEN": ""}, {"DISCORD_TOKEN": "  "}])
def test_missing_token_is_a_config_error(environ: dict) -> None:
    with pytest.raises(ConfigError, match="DISCORD_TOKEN is not set"):
        token_from_environment(environ)


def test_token_comes_from_the_environment() -> None:
    assert token_from_environment({"DISCORD_TOKEN": " abc \n"}) == "abc"
