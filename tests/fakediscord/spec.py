"""Discord's published OpenAPI description (``tests/discord_spec/openapi.json``) as checks.

``DiscordSpec.operation`` finds the documented operation for a request (404/405 as Discord
answers otherwise); ``check_request`` turns what breaks its parameter and body schemas into
Discord's 50035 errors tree; ``check_response`` lists where an answer differs from the
documented response schema for its status. The validators are compiled once per process.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, ValidationError, validators

from .errors import DiscordError, field_error, merge_errors, nest_errors, not_found_route
from .models import Json

SPEC_FILE = Path(__file__).resolve().parent.parent / "discord_spec" / "openapi.json"
_PARAM = re.compile(r"\{([^}]+)\}")
_SNOWFLAKE_PATTERN = "^(0|[1-9][0-9]*)$"
_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}


def _integer_or_integer_text(checker: Any, instance: Any) -> bool:
    return Draft202012Validator.TYPE_CHECKER.is_type(instance, "integer") or (
        isinstance(instance, str) and re.fullmatch(r"-?\d+", instance) is not None
    )


# Discord reads request values leniently: the source's README says int-typed fields accept
# int-parseable strings (discord.py sends ``default_member_permissions`` as one), and a
# snowflake may come as a JSON number (discord.py sends ``message_reference.message_id`` so).
# With such coercion a value may fit several shapes of a union, so a request needs one to fit.
# Answers are held to the strict types and to exactly one shape.
RequestValidator = validators.extend(
    Draft202012Validator,
    validators={"oneOf": Draft202012Validator.VALIDATORS["anyOf"]},
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", _integer_or_integer_text),
)
_REQUEST_SNOWFLAKE: Json = {
    "oneOf": [{"type": "string", "pattern": _SNOWFLAKE_PATTERN}, {"type": "integer", "minimum": 0}]
}


# Where Discord's documentation and its description disagree, the documentation wins:
# the field errors of a 50035 carry string codes ("BASE_TYPE_REQUIRED"), and the callback
# resource of a response without a message (deferral, autocomplete choices, modal) is just its type.
_CORRECTIONS: dict[str, Json] = {
    "/components/schemas/InnerErrors/properties/_errors/items": {
        "type": "object",
        "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
        "required": ["code", "message"],
    },
    "/components/schemas/InteractionCallbackResponse/properties/resource": {
        "oneOf": [
            {"$ref": "#/components/schemas/CreateMessageInteractionCallbackResponse"},
            {"$ref": "#/components/schemas/LaunchActivityInteractionCallbackResponse"},
            {"$ref": "#/components/schemas/UpdateMessageInteractionCallbackResponse"},
            {
                "type": "object",
                "properties": {"type": {"enum": [5, 6, 8, 9]}},
                "required": ["type"],
                "not": {"required": ["message"]},
            },
        ]
    },
}


class SpecMismatch(Exception):
    """The loopback Discord answered something Discord's description does not allow."""


@dataclasses.dataclass(frozen=True)
class Parameter:
    name: str
    location: str
    required: bool
    types: frozenset[str]
    validator: Draft202012Validator


@dataclasses.dataclass(frozen=True)
class Operation:
    """One documented method of one path; ``served`` is false for the stubs strip.py leaves."""

    method: str
    path: str
    operation_id: str
    served: bool
    parameters: tuple[Parameter, ...]
    body: Draft202012Validator | None
    responses: Mapping[str, Draft202012Validator | None]

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.operation_id})"

    def check_request(self, path_values: Mapping[str, str], query: Mapping[str, str], body: Any) -> Json:
        """Discord's errors tree for what breaks the description (empty if nothing does).

        Unknown query parameters are ignored, as Discord ignores them; ``body`` is ``None``
        when the request had none.
        """
        errors: Json = {}
        for parameter in self.parameters:
            raw = (path_values if parameter.location == "path" else query).get(parameter.name)
            if raw is not None:
                value = _coerce(raw, parameter.types)
                merge_errors(errors, _errors_tree(parameter.validator, value, at=(parameter.name,)))
            elif parameter.required:
                merge_errors(errors, nest_errors((parameter.name,), _required()))
        if self.body is not None:
            merge_errors(errors, _errors_tree(self.body, {} if body is None else body))
        return errors

    def check_response(self, status: int, body: bytes) -> list[str]:
        """Where the answer differs from the documented response for ``status``."""
        key = next((k for k in (str(status), f"{status // 100}XX", "default") if k in self.responses), None)
        if key is None:
            return [f"status {status} is not documented (documented: {', '.join(self.responses)})"]
        validator = self.responses[key]
        if validator is None:
            return [f"status {status} has no body on Discord, got {body[:80]!r}"] if body else []
        try:
            document = json.loads(body)
        except json.JSONDecodeError:
            return [f"status {status} body is not JSON: {body[:80]!r}"]
        return [f"{_dotted(e.absolute_path)}: {e.message[:200]}" for e in _decisive(validator.iter_errors(document))]


class DiscordSpec:
    """The vendored description: routes by path, each with its documented methods."""

    def __init__(self, document: Json) -> None:
        _normalise(document)
        for pointer, schema in _CORRECTIONS.items():
            parent, _, key = pointer.rpartition("/")
            _node(document, parent)[key] = schema
        requests = copy.deepcopy(document)
        requests["components"]["schemas"]["SnowflakeType"] = _REQUEST_SNOWFLAKE
        _inline_references(requests)
        _inline_references(document)
        routes = []
        for path, item in document["paths"].items():
            operations = {
                method.upper(): _operation(method.upper(), path, requests["paths"][path], item)
                for method in item
                if method != "parameters"
            }
            routes.append((_literal_segments(path), _path_pattern(path), operations))
        # The most literal template wins: /users/@me before /users/{user_id}.
        routes.sort(key=lambda route: -route[0])
        self._routes = [(pattern, operations) for _, pattern, operations in routes]

    def operation(self, method: str, path: str) -> tuple[Operation, dict[str, str]]:
        """The documented operation for ``path`` (under the API prefix) and its path values.

        Raises Discord's 404 for a path it does not have and 405 for a method it does not have.
        """
        for pattern, operations in self._routes:
            match = pattern.fullmatch(path)
            if match is None:
                continue
            operation = operations.get(method)
            if operation is None:
                raise DiscordError(405, 0, "405: Method Not Allowed")
            return operation, match.groupdict()
        raise not_found_route()

    def operations(self) -> Iterator[Operation]:
        for _, operations in self._routes:
            yield from operations.values()


def _operation(method: str, path: str, request_item: Json, item: Json) -> Operation:
    """One operation, with request schemas from the lenient document and answers from the strict one."""
    operation = item[method.lower()]
    served = "responses" in operation
    parameters: dict[tuple[str, str], Parameter] = {}
    if served:
        # Operation-level parameters override the path's shared ones of the same name.
        for listed in (request_item.get("parameters", []), request_item[method.lower()].get("parameters", [])):
            for parameter in listed:
                parameters[parameter["in"], parameter["name"]] = Parameter(
                    name=parameter["name"],
                    location=parameter["in"],
                    required=bool(parameter.get("required")),
                    types=_types(parameter["schema"]),
                    validator=RequestValidator(parameter["schema"]),
                )
    body_schema = _json_schema(request_item[method.lower()].get("requestBody", {}))
    responses = {
        status: None if (schema := _json_schema(response)) is None else Draft202012Validator(schema)
        for status, response in operation.get("responses", {}).items()
    }
    return Operation(
        method,
        path,
        operation["operationId"],
        served,
        tuple(parameters.values()),
        None if body_schema is None else RequestValidator(body_schema),
        responses,
    )


def _json_schema(described: Json) -> Json | None:
    return described.get("content", {}).get("application/json", {}).get("schema")


def _types(schema: Json) -> frozenset[str]:
    """The JSON types a parameter schema allows, to read a query string as one of them."""
    if "oneOf" in schema:
        return frozenset().union(*(_types(branch) for branch in schema["oneOf"]))
    declared = schema.get("type", "string")
    return frozenset([declared] if isinstance(declared, str) else declared)


@functools.cache
def discord_spec() -> DiscordSpec:
    """The vendored description, loaded and compiled once per process."""
    return DiscordSpec(json.loads(SPEC_FILE.read_text(encoding="utf-8")))


def _normalise(node: Any) -> None:
    """``anyOf`` as ``oneOf`` (the source's README: its unions still mean exactly one of the listed
    shapes), and a ``oneOf`` of constants (Discord's enums) as an ``enum``, which reads better in
    errors and is checked at once instead of constant by constant."""
    if isinstance(node, dict):
        if "anyOf" in node:
            node["oneOf"] = node.pop("anyOf")
        branches = node.get("oneOf")
        if branches and all(isinstance(b, dict) and b.keys() == {"const"} for b in branches):
            node["enum"] = [branch["const"] for branch in node.pop("oneOf")]
        for value in node.values():
            _normalise(value)
    elif isinstance(node, list):
        for item in node:
            _normalise(item)


def _inline_references(document: Json) -> None:
    """Put the schema each ``$ref`` names in its place (shared, so a recursive schema becomes a
    cycle): jsonschema then never looks a reference up while it validates."""
    seen: set[int] = set()

    def resolve(value: Any) -> Any:
        if isinstance(value, dict) and "$ref" in value:
            target = _node(document, value["$ref"].removeprefix("#"))
            siblings = {key: item for key, item in value.items() if key != "$ref"}
            value = {"allOf": [target], **siblings} if siblings else target
            if "$ref" in value:  # an alias of another schema
                return resolve(value)
        visit(value)
        return value

    def visit(node: Any) -> None:
        if id(node) in seen or not isinstance(node, dict | list):
            return
        seen.add(id(node))
        keys = node.keys() if isinstance(node, dict) else range(len(node))
        for key in keys:
            node[key] = resolve(node[key])

    visit(document)


def _node(document: Json, pointer: str) -> Any:
    node: Any = document
    for part in pointer.strip("/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _literal_segments(path: str) -> int:
    return sum(1 for segment in path.split("/") if segment and not _PARAM.fullmatch(segment))


def _path_pattern(path: str) -> re.Pattern[str]:
    parts = _PARAM.split(path)
    # re.split with a group alternates literal text and parameter names.
    regex = "".join(re.escape(part) if index % 2 == 0 else f"(?P<{part}>[^/]+)" for index, part in enumerate(parts))
    return re.compile(regex)


def _coerce(raw: str, types: frozenset[str]) -> Any:
    """A path or query string as the JSON value Discord reads it as (kept as text if it is none)."""
    if "integer" in types and re.fullmatch(r"-?\d+", raw):
        return int(raw)
    if "boolean" in types and raw.lower() in _BOOLEANS:
        return _BOOLEANS[raw.lower()]
    return raw


def _decisive(errors: Iterable[ValidationError]) -> Iterator[ValidationError]:
    """The errors to report: for a failed ``oneOf``, those of the branch that got furthest.

    That is the branch whose shallowest error lies deepest and is more than a wrong type: a
    nullable ``oneOf [null, X]`` fails on X's fields, not on "is not null".
    """
    for error in errors:
        if error.validator not in ("oneOf", "anyOf") or not error.context:
            yield error
            continue
        branches: dict[int, list[ValidationError]] = {}
        for sub in error.context:
            branches.setdefault(sub.relative_schema_path[0], []).append(sub)
        yield from max((list(_decisive(group)) for group in branches.values()), key=_progress)


def _progress(branch: list[ValidationError]) -> tuple[int, bool, int]:
    depth = min(len(error.absolute_path) for error in branch)
    beyond_type = any(error.validator != "type" for error in branch if len(error.absolute_path) == depth)
    return depth, beyond_type, -len(branch)


def _errors_tree(validator: Draft202012Validator, instance: Any, at: tuple[str, ...] = ()) -> Json:
    """Discord's nested errors tree, one error per field (the first found), under ``at``."""
    leaves: dict[tuple[str, ...], Json] = {}
    for error in _decisive(validator.iter_errors(instance)):
        path = (*at, *(str(part) for part in error.absolute_path))
        if error.validator == "required":
            for name in error.validator_value:
                if isinstance(error.instance, dict) and name not in error.instance:
                    leaves.setdefault((*path, name), _required())
        else:
            leaves.setdefault(path, field_error(*_describe(error)))
    tree: Json = {}
    for path, leaf in leaves.items():
        merge_errors(tree, nest_errors(path, leaf))
    return tree


def _required() -> Json:
    return field_error("BASE_TYPE_REQUIRED", "This field is required")


def _describe(error: ValidationError) -> tuple[str, str]:
    """Discord's error code and message for one schema violation."""
    limit, value, schema = error.validator_value, error.instance, error.schema
    if error.validator in ("minLength", "maxLength") and {"minLength", "maxLength"} <= schema.keys():
        low, high = schema["minLength"], schema["maxLength"]
        return "BASE_TYPE_BAD_LENGTH", f"Must be between {low} and {high} in length."
    match error.validator:
        case "maxLength" | "maxItems":
            return "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length."
        case "minLength" | "minItems":
            return "BASE_TYPE_MIN_LENGTH", f"Must be {limit} or more in length."
        case "maximum":
            return "NUMBER_TYPE_MAX", f"int value should be less than or equal to {limit}."
        case "minimum":
            return "NUMBER_TYPE_MIN", f"int value should be greater than or equal to {limit}."
        case "enum":
            return "BASE_TYPE_CHOICES", "Value must be one of {" + ", ".join(map(str, limit)) + "}."
        case "pattern" if limit == _SNOWFLAKE_PATTERN:
            return "NUMBER_TYPE_COERCE", f'Value "{value}" is not snowflake.'
        case "pattern":
            return "STRING_TYPE_REGEX", "String value did not match validation regex."
        case "type":
            return _type_error(limit, value)
    return "BASE_TYPE_INVALID", error.message


# Discord's code and message for a value of the wrong JSON type, by the type it should have.
_TYPE_ERRORS = {
    "object": ("MODEL_TYPE_CONVERT", "Expected an object/dictionary."),
    "array": ("LIST_TYPE_CONVERT", "Only iterables may be used in a ListType"),
    "integer": ("NUMBER_TYPE_COERCE", 'Value "{}" is not int.'),
    "number": ("NUMBER_TYPE_COERCE", 'Value "{}" is not int.'),
    "boolean": ("BOOLEAN_TYPE_CONVERT", 'Value "{}" is not bool.'),
    "string": ("STRING_TYPE_CONVERT", 'Could not interpret "{}" as string.'),
}


def _type_error(expected: str | list[str], value: Any) -> tuple[str, str]:
    wanted = [expected] if isinstance(expected, str) else [t for t in expected if t != "null"]
    code, message = _TYPE_ERRORS.get(wanted[0] if wanted else "null", ("BASE_TYPE_INVALID", "Value must be null."))
    return code, message.format(value)


def _dotted(path: Iterable[Any]) -> str:
    return ".".join(str(part) for part in path) or "(body)"
