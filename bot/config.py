"""config.yaml -> frozen dataclasses, checked key by key.

Every mistake is a `ConfigError` that names the key path (`quiz.scoring: must be exact or partial`),
so a moderator can fix the file without reading code. The token never lives in the file: it comes
from the environment only, so it cannot be committed by accident.
"""

from __future__ import annotations

import difflib
import os
import re
import reprlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.outgoing import clip

TOKEN_VARIABLE = "DISCORD_TOKEN"


class ConfigError(Exception):
    """A configuration problem, worded for the person editing the file."""


@dataclass(frozen=True)
class DiscordConfig:
    api_base_url: str = "https://discord.com/api/v10"
    gateway_url: str = "wss://gateway.discord.gg"
    dev_guild_id: int | None = None
    shard_count: int | None = None  # None: as many as Discord recommends
    shard_ids: tuple[int, ...] | None = None  # the shards this process runs; None: all of them


@dataclass(frozen=True)
class QuizConfig:
    duration_seconds: int = 60
    scoring: str = "exact"
    leaderboard_size: int = 10
    moderator_role_ids: tuple[int, ...] = ()
    discussion_threads: bool = False
    shuffle_options: bool = True
    answers: str = "reactions"  # how members answer: letter reactions, or a private menu nobody else sees
    desired_retention: float = 0.9


@dataclass(frozen=True)
class Config:
    discord: DiscordConfig
    database_path: Path | None  # the SQLite file; None when the database is PostgreSQL
    questions_path: Path
    quiz: QuizConfig
    database_url: str | None = None  # a postgresql:// URL

    @property
    def database(self) -> Path | str:
        """What `Store.open` takes: the SQLite file or the PostgreSQL URL."""
        return self.database_url or self.database_path


def load_config(path: Path) -> Config:
    """Read and check a config file; relative paths in it are relative to the file's folder."""
    try:
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text)
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file (copy config.example.yaml to start)") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read: {error}") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark else ""
        raise ConfigError(f"{path}: not valid YAML{where}: {getattr(error, 'problem', error)}") from None
    except ValueError:  # Python refuses to read an integer of more than 4,300 digits
        long = re.search(r"[0-9_]{4300,}", text)
        where = f" (line {text.count(chr(10), 0, long.start()) + 1})" if long else ""
        raise ConfigError(f"{path}{where}: a number is thousands of digits long; no setting takes one") from None
    try:
        return parse_config(data if data is not None else {}, base=path.parent)
    except ConfigError as error:
        raise ConfigError(f"{path}: {error}") from None


def parse_config(data: object, *, base: Path = Path()) -> Config:
    root = _Section(data, "")
    discord = root.section("discord")
    database = root.section("database")
    questions = root.section("questions")
    quiz = root.section("quiz")
    root.finish()
    database_path, database_url = _database(database, base)
    config = Config(
        discord=DiscordConfig(
            api_base_url=discord.get("api_base_url", str, DiscordConfig.api_base_url, _url("http")),
            gateway_url=discord.get("gateway_url", str, DiscordConfig.gateway_url, _url("ws")),
            dev_guild_id=discord.get("dev_guild_id", int, None, _snowflake),
            **_shards(discord),
        ),
        database_path=database_path,
        database_url=database_url,
        questions_path=base / questions.get("path", str, "questions", _non_empty),
        quiz=QuizConfig(
            duration_seconds=quiz.get("duration_seconds", int, 60, _between(5, 86_400)),
            scoring=quiz.get("scoring", str, "exact", _one_of("exact", "partial")),
            leaderboard_size=quiz.get("leaderboard_size", int, 10, _between(1, 25)),
            moderator_role_ids=tuple(quiz.get("moderator_role_ids", list, [], _snowflakes)),
            discussion_threads=quiz.get("discussion_threads", bool, False, lambda _: None),
            shuffle_options=quiz.get("shuffle_options", bool, True, lambda _: None),
            answers=quiz.get("answers", str, "reactions", _one_of("reactions", "private")),
            # Below 0.7 FSRS spaces reviews so far apart that most are missed; 1.0 would mean reviewing nonstop.
            desired_retention=quiz.get("desired_retention", float, 0.9, _between(0.7, 0.99)),
        ),
    )
    for section in (discord, database, questions, quiz):
        section.finish()
    return config


def token_from_environment(environ: Mapping[str, str] = os.environ) -> str:
    token = environ.get(TOKEN_VARIABLE, "").strip()
    if not token:
        raise ConfigError(f"{TOKEN_VARIABLE} is not set: export the bot token from the Discord developer portal")
    return token


class _Section:
    """One mapping of the file; remembers which keys were read so leftovers are reported."""

    def __init__(self, data: object, path: str) -> None:
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise ConfigError(f"{path or 'the file'}: must be a mapping of `key: value` lines")
        self.data = data
        self.path = path
        self.read: set[str] = set()

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def section(self, name: str) -> _Section:
        self.read.add(name)
        return _Section(self.data.get(name), self.key(name))

    def get(self, name: str, kind: type, default: Any, check: Callable[[Any], str | None]) -> Any:
        self.read.add(name)
        if name not in self.data or (self.data[name] is None and default is None):
            return default
        value = self.data[name]
        if isinstance(value, bool) is not (kind is bool) or not isinstance(value, kind):
            raise ConfigError(f"{self.key(name)}: must be {_KIND_NAMES[kind]}, not {shown(value)}")
        complaint = check(value)
        if complaint:
            raise ConfigError(f"{self.key(name)}: {complaint}")
        return value

    def finish(self) -> None:
        unknown = [
            shown(k) if not isinstance(k, str) else clip(k, _SHOWN_LIMIT) for k in self.data if k not in self.read
        ]
        if not unknown:
            return
        key = unknown[0]
        if "token" in key.casefold():  # the value is never repeated: it may be the real token
            raise ConfigError(
                f"{self.key(key)}: put the token in the {TOKEN_VARIABLE} environment variable, not in the file"
            )
        hint = difflib.get_close_matches(key, sorted(self.read), n=1)
        suggestion = f" (did you mean `{self.key(hint[0])}`?)" if hint else ""
        raise ConfigError(f"{self.key(key)}: unknown key{suggestion}")


_KIND_NAMES = {str: "text", int: "a whole number", float: "a decimal number", list: "a list", bool: "true or false"}


def _database(section: _Section, base: Path) -> tuple[Path | None, str | None]:
    """`database.url` (sqlite:/// or postgresql://) or `database.path` (a SQLite file), relative to `base`."""
    url = section.get("url", str, None, _database_url)
    path = section.get("path", str, None, _non_empty)
    if url is not None and path is not None:
        raise ConfigError(f"{section.key('url')}: give either it or {section.key('path')}, not both")
    if url is None:
        return base / (path or "quiz.sqlite3"), None
    if url.startswith(SQLITE_URL):
        return base / url.removeprefix(SQLITE_URL), None  # sqlite:////abs/path keeps its leading slash
    return None, url


SQLITE_URL = "sqlite:///"


def _database_url(value: str) -> str | None:
    if value.startswith("postgresql://") or (value.startswith(SQLITE_URL) and value != SQLITE_URL):
        return None
    return f"must start with {SQLITE_URL} (and a file) or postgresql://"


def _non_empty(value: str) -> str | None:
    return None if value.strip() else "must not be empty"


def _url(scheme: str) -> Callable[[str], str | None]:
    def check(value: str) -> str | None:
        ok = value.startswith((f"{scheme}://", f"{scheme}s://"))
        return None if ok else f"must start with {scheme}:// or {scheme}s://"

    return check


def _between(low: float, high: float) -> Callable[[float], str | None]:
    return lambda value: None if low <= value <= high else f"must be between {low} and {high}"


def _one_of(*choices: str) -> Callable[[str], str | None]:
    return lambda value: None if value in choices else f"must be {' or '.join(choices)}"


def _shards(discord: _Section) -> dict[str, Any]:
    """`shard_count` and `shard_ids`, checked together: the ids only mean something against a count."""
    count = discord.get("shard_count", int, None, lambda n: None if n >= 1 else "must be at least 1")
    ids = discord.get("shard_ids", list, None, _shard_ids(count))
    if ids is not None and count is None:
        raise ConfigError(f"{discord.key('shard_ids')}: needs {discord.key('shard_count')}, the total across processes")
    return {"shard_count": count, "shard_ids": None if ids is None else tuple(ids)}


def _shard_ids(count: int | None) -> Callable[[list], str | None]:
    def check(values: list) -> str | None:
        if not values:
            return "must list at least one shard (leave it out to run them all)"
        bad = [v for v in values if isinstance(v, bool) or not isinstance(v, int) or v < 0]
        if bad:
            return f"must be a list of shard numbers (0 or more), not {shown(bad[0])}"
        if count is not None and max(values) >= count:
            return f"shard {max(values)} does not exist: shard_count is {count}, so shards are 0 to {count - 1}"
        repeated = sorted({v for v in values if values.count(v) > 1})
        return f"lists shard {repeated[0]} twice" if repeated else None

    return check


def _snowflake(value: int) -> str | None:
    return None if value > 0 else "must be a Discord id (a positive number)"


def _snowflakes(values: list) -> str | None:
    bad = [v for v in values if isinstance(v, bool) or not isinstance(v, int) or v <= 0]
    return f"must be a list of Discord ids (positive numbers), not {shown(bad[0])}" if bad else None


_SHOWN_LIMIT = 80
_SHOWN = reprlib.Repr()
_SHOWN.maxlevel = 2  # the file's own anchors can nest a value a billion items deep ("alias bomb")
_SHOWN.maxlist = _SHOWN.maxdict = _SHOWN.maxset = _SHOWN.maxtuple = 4
_SHOWN.maxstring = _SHOWN.maxother = _SHOWN_LIMIT


def shown(value: object) -> str:
    """A value from the file as an error message repeats it: short, however big the value."""
    return clip(_SHOWN.repr(value), _SHOWN_LIMIT)
