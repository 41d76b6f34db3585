"""config.yaml: the example loads, and every wrong value names its key."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_config, parse_config, shown, token_from_environment

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
    assert config.quiz.shuffle_options is True
    assert config.quiz.answers == "reactions"
    assert (config.discord.shard_count, config.discord.shard_ids) == (None, None)


def test_values_are_read() -> None:
    config = parse_config(
        {
            "discord": {
                "dev_guild_id": 42,
                "api_base_url": "http://127.0.0.1:5/api/v10",
                "shard_count": 8,
                "shard_ids": [4, 5, 6, 7],
            },
            "quiz": {
                "scoring": "partial",
                "moderator_role_ids": [7, 8],
                "duration_seconds": 30,
                "shuffle_options": False,
                "desired_retention": 0.85,
                "answers": "private",
            },
            "database": {"path": "/tmp/x.db"},
        },
        base=Path("/srv"),
    )
    assert config.discord.dev_guild_id == 42
    assert (config.discord.shard_count, config.discord.shard_ids) == (8, (4, 5, 6, 7))
    assert config.quiz.moderator_role_ids == (7, 8)
    assert config.quiz.scoring == "partial"
    assert config.quiz.shuffle_options is False
    assert config.quiz.desired_retention == 0.85
    assert config.quiz.answers == "private"
    assert config.database_path == Path("/tmp/x.db")
    assert config.questions_path == Path("/srv/questions")


@pytest.mark.parametrize(
    ("url", "path", "postgres"),
    [
        ("sqlite:///data/quiz.db", Path("/srv/bot/data/quiz.db"), None),  # relative to the config's folder
        ("sqlite:////var/lib/quiz.db", Path("/var/lib/quiz.db"), None),
        ("postgresql://bot@db:5432/quiz", None, "postgresql://bot@db:5432/quiz"),
    ],
)
def test_the_database_url_names_a_sqlite_file_or_a_postgresql_server(url: str, path: Path | None, postgres) -> None:
    config = parse_config({"database": {"url": url}}, base=Path("/srv/bot"))
    assert (config.database_path, config.database_url) == (path, postgres)
    assert config.database == (postgres or path)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"quiz": {"scoring": "lenient"}}, "quiz.scoring: must be exact or partial"),
        ({"quiz": {"duration_seconds": 2}}, "quiz.duration_seconds: must be between 5 and 86400"),
        ({"quiz": {"duration_seconds": "60"}}, "quiz.duration_seconds: must be a whole number, not '60'"),
        ({"quiz": {"duration_seconds": True}}, "quiz.duration_seconds: must be a whole number, not True"),
        ({"quiz": {"leaderboard_size": 0}}, "quiz.leaderboard_size: must be between 1 and 25"),
        ({"quiz": {"desired_retention": 1.0}}, "quiz.desired_retention: must be between 0.7 and 0.99"),
        ({"quiz": {"desired_retention": 0.5}}, "quiz.desired_retention: must be between 0.7 and 0.99"),
        ({"quiz": {"desired_retention": "90%"}}, "quiz.desired_retention: must be a decimal number, not '90%'"),
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
        ({"discord": {"shard_count": 0}}, "discord.shard_count: must be at least 1"),
        ({"discord": {"shard_count": "8"}}, "discord.shard_count: must be a whole number, not '8'"),
        ({"discord": {"shard_ids": [0]}}, "discord.shard_ids: needs discord.shard_count, the total across processes"),
        ({"discord": {"shard_count": 8, "shard_ids": 3}}, "discord.shard_ids: must be a list, not 3"),
        (
            {"discord": {"shard_count": 8, "shard_ids": []}},
            "discord.shard_ids: must list at least one shard (leave it out to run them all)",
        ),
        (
            {"discord": {"shard_count": 8, "shard_ids": [0, "1"]}},
            "discord.shard_ids: must be a list of shard numbers (0 or more), not '1'",
        ),
        (
            {"discord": {"shard_count": 8, "shard_ids": [-1]}},
            "discord.shard_ids: must be a list of shard numbers (0 or more), not -1",
        ),
        (
            {"discord": {"shard_count": 8, "shard_ids": [4, 8]}},
            "discord.shard_ids: shard 8 does not exist: shard_count is 8, so shards are 0 to 7",
        ),
        ({"discord": {"shard_count": 8, "shard_ids": [1, 2, 1]}}, "discord.shard_ids: lists shard 1 twice"),
        ({"discord": {"shard_count": 2, "shard_ids": [True]}}, "discord.shard_ids: must be a list of shard numbers"),
        ({"database": {"path": ""}}, "database.path: must not be empty"),
        (
            {"database": {"url": "mysql://x/y"}},
            "database.url: must start with sqlite:/// (and a file) or postgresql://",
        ),
        ({"database": {"url": "sqlite:///"}}, "database.url: must start with sqlite:/// (and a file) or postgresql://"),
        (
            {"database": {"url": "sqlite:///a.db", "path": "b.db"}},
            "database.url: give either it or database.path, not both",
        ),
        ({"quiz": {"discussion_threads": "yes"}}, "quiz.discussion_threads: must be true or false, not 'yes'"),
        ({"quiz": {"shuffle_options": 0}}, "quiz.shuffle_options: must be true or false, not 0"),
        ({"quiz": {"answers": "secret"}}, "quiz.answers: must be reactions or private"),
        ({"quiz": {"leaderboard_size": True}}, "quiz.leaderboard_size: must be a whole number, not True"),
        (["a"], "the file: must be a mapping of `key: value` lines"),
    ],
)
def test_wrong_values_name_their_key(data: object, message: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_config(data)
    assert str(error.value).startswith(message)


def alias_bomb(levels: int = 9) -> str:
    """A YAML list whose anchors make it 9**levels items long once expanded: the file itself is tiny."""
    parts = ["&l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    parts += [f"&l{n} [{', '.join([f'*l{n - 1}'] * 9)}]" for n in range(1, levels)]
    return f"[{', '.join(parts)}]"


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (f"quiz:\n  duration_seconds: {alias_bomb()}\n", "quiz.duration_seconds: must be a whole number, not [["),
        (f"quiz:\n  moderator_role_ids: [{alias_bomb()}]\n", "quiz.moderator_role_ids: must be a list of Discord ids"),
        (f"quiz:\n  scoring: {'x' * 100_000}\n", "quiz.scoring: must be exact or partial"),
        (f"quiz:\n  ? {'k' * 100_000}\n  : 1\n", "quiz.kkkk"),
    ],
    ids=["alias bomb", "alias bomb in a list", "long value", "long key"],
)
def test_huge_values_are_reported_briefly(tmp_path: Path, config: str, message: str) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(config, encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert message in str(error.value)
    assert len(str(error.value)) < len(str(path)) + 250


@pytest.mark.parametrize(
    ("value", "text"),
    [(5, "5"), ("five", "'five'"), ([1, [2, [3, [4]]]], "[1, [2, [...]]]"), ("x" * 500, None), ({"a": 1}, "{'a': 1}")],
)
def test_a_value_is_shown_short(value: object, text: str | None) -> None:
    assert len(shown(value)) <= 80
    if text is not None:
        assert shown(value) == text


@pytest.mark.parametrize("config", ["discord:\n  token: MTIzNDU2.secret\n", "token: MTIzNDU2.secret\n"])
def test_a_token_in_the_file_is_sent_to_the_environment_and_never_repeated(tmp_path: Path, config: str) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(config, encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert "token: put the token in the DISCORD_TOKEN environment variable, not in the file" in str(error.value)
    assert "secret" not in str(error.value)


def test_a_number_too_long_for_python_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(f"quiz:\n  scoring: exact\n  duration_seconds: {'9' * 5000}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"config.yaml \(line 3\): a number is thousands of digits long"):
        load_config(path)


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
