"""The YAML front matter of a question file: read, bounded and checked. Pure.

Each key is checked on its own so that one run reports every bad key with its line.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable

import yaml

from bot.problems import Problem, Severity

MIN_DURATION, MAX_DURATION = 5, 86_400
DIFFICULTIES = ("easy", "medium", "hard")
SCORINGS = ("exact", "partial")
# Python refuses to convert integers of more than 4,300 digits (and is quadratic below that);
# no sensible value here has more than a few, so longer ones are refused before converting.
MAX_INT_DIGITS = 18

_KEY_AT_LINE_START = re.compile(r"""^\s*['"]?([^'":#]+?)['"]?\s*:""")


def read(lines: list[str], path: str) -> tuple[dict | None, int, list[Problem]]:
    """(valid keys, index of the line after the block, problems) for lines starting with `---`.

    The keys are None when the block never closes: the rest of the file cannot be told apart from it.
    """
    problems: list[Problem] = []

    def error(line: int, message: str) -> None:
        problems.append(Problem(path, line, Severity.ERROR, message))

    if not lines or lines[0] != "---":
        return {}, 0, problems
    end = next((i for i in range(1, len(lines)) if lines[i] in ("---", "...")), None)
    if end is None:
        error(1, "front matter is not closed: add a `---` line after it")
        return None, 0, problems
    try:
        meta = yaml.load("\n".join(lines[1:end]), Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        reason = getattr(exc, "problem", None) or "invalid YAML"
        error(mark.line + 2 if mark else 1, f"front matter: {reason}")
        return {}, end + 1, problems
    if meta is None:
        return {}, end + 1, problems
    if not isinstance(meta, dict):
        error(2, "front matter must be `key: value` lines")
        return {}, end + 1, problems
    # Each key's line, found in one pass: searching the block once per key is quadratic.
    key_lines: dict[str, int] = {}
    for i in range(1, end):
        match = _KEY_AT_LINE_START.match(lines[i])
        if match:
            key_lines.setdefault(match.group(1).strip(), i + 1)
    valid = {}
    for key, value in meta.items():
        line = key_lines.get(str(key), 2)
        check = CHECKS.get(key)
        if check is None:
            hint = difflib.get_close_matches(str(key), CHECKS, n=1)
            known = f"did you mean `{hint[0]}`?" if hint else f"known keys: {', '.join(CHECKS)}"
            error(line, f"front matter: unknown key `{key}` ({known})")
        elif complaint := check(value):
            error(line, f"front matter: `{key}` {complaint}")
        else:
            valid[key] = value
    return valid, end + 1, problems


def _is_str_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)


def _duration_complaint(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return "must be a whole number of seconds"
    if not MIN_DURATION <= value <= MAX_DURATION:
        return f"must be between {MIN_DURATION} and {MAX_DURATION} seconds"
    return None


CHECKS: dict[str, Callable[[object], str | None]] = {
    "tags": lambda v: None if _is_str_list(v) else "must be a list of words, e.g. `[metrics, recall]`",
    "difficulty": lambda v: None if v in DIFFICULTIES else f"must be one of {', '.join(DIFFICULTIES)}",
    "duration": _duration_complaint,
    "scoring": lambda v: None if v in SCORINGS else f"must be one of {', '.join(SCORINGS)}",
    "author": lambda v: None if isinstance(v, str) and v.strip() else "must be text",
    "shuffle": lambda v: None if isinstance(v, bool) else "must be true or false",
}


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    pass


def _bounded_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    digits = sum(c.isdigit() for c in node.value)
    if digits > MAX_INT_DIGITS:
        raise yaml.constructor.ConstructorError(
            None, None, f"a number of {digits} digits is too long to be a value", node.start_mark
        )
    return yaml.constructor.SafeConstructor.construct_yaml_int(loader, node)


_Loader.add_constructor("tag:yaml.org,2002:int", _bounded_int)
