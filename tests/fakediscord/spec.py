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
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from .errors import DiscordError, field_error, merge_errors, nest_errors, not_found_route
from .models import Json

SPEC_FILE = Path(__file__).resolve().parent.parent / "discord_spec" / "openapi.json"
_URI = "urn:discord-openapi"
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
        _one_of_for_any_of(document)
        for pointer, schema in _CORRECTIONS.items():
            parent, _, key = pointer.rpartition("/")
            _node(document, parent)[key] = schema
        requests = copy.deepcopy(document)
        requests["components"]["schemas"]["SnowflakeType"] = _REQUEST_SNOWFLAKE
        self._registries = {RequestValidator: _registry(requests), Draft202012Validator: _registry(document)}
        self._document = document
        routes = []
        for path, item in document["paths"].items():
            shared = item.get("parameters", [])
            operations = {
                method.upper(): self._operation(method.upper(), path, shared, operation)
                for method, operation in item.items()
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

    def _operation(self, method: str, path: str, shared: list[Json], operation: Json) -> Operation:
        pointer = f"/paths/{_escape(path)}/{method.lower()}"
        served = "responses" in operation
        parameters: dict[tuple[str, str], Parameter] = {}
        if served:
            # Operation-level parameters override the path's shared ones of the same name.
            for owner, listed in ((f"/paths/{_escape(path)}", shared), (pointer, operation.get("parameters", []))):
                for index, parameter in enumerate(listed):
                    parameters[parameter["in"], parameter["name"]] = Parameter(
                        name=parameter["name"],
                        location=parameter["in"],
                        required=bool(parameter.get("required")),
                        types=self._types(parameter["schema"]),
                        validator=self._validator(f"{owner}/parameters/{index}/schema", RequestValidator),
                    )
        body = None
        if "application/json" in operation.get("requestBody", {}).get("content", {}):
            body = self._validator(f"{pointer}/requestBody/content/application~1json/schema", RequestValidator)
        responses: dict[str, Draft202012Validator | None] = {}
        for status, response in operation.get("responses", {}).items():
            response_pointer = f"{pointer}/responses/{status}"
            if "$ref" in response:
                response_pointer = response["$ref"].removeprefix("#")
                response = _node(self._document, response_pointer)
            has_json = "application/json" in response.get("content", {})
            responses[status] = (
                self._validator(f"{response_pointer}/content/application~1json/schema", Draft202012Validator)
                if has_json
                else None
            )
        return Operation(method, path, operation["operationId"], served, tuple(parameters.values()), body, responses)

    def _validator(self, pointer: str, kind: type[Draft202012Validator]) -> Draft202012Validator:
        return kind({"$ref": f"{_URI}#{pointer}"}, registry=self._registries[kind])

    def _types(self, schema: Json) -> frozenset[str]:
        """The JSON types a parameter schema allows, to read a query string as one of them."""
        if "$ref" in schema:
            return self._types(_node(self._document, schema["$ref"].removeprefix("#")))
        declared = schema.get("type", "string")
        return frozenset([declared] if isinstance(declared, str) else declared)


@functools.cache
def discord_spec() -> DiscordSpec:
    """The vendored description, loaded and compiled once per process."""
    return DiscordSpec(json.loads(SPEC_FILE.read_text(encoding="utf-8")))


def _registry(document: Json) -> Registry:
    return Registry().with_resource(_URI, Resource.from_contents(document, default_specification=DRAFT202012))


def _one_of_for_any_of(node: Any) -> None:
    """The source's README: its ``anyOf`` unions still mean exactly one of the listed shapes."""
    if isinstance(node, dict):
        if "anyOf" in node:
            node["oneOf"] = node.pop("anyOf")
        for value in node.values():
            _one_of_for_any_of(value)
    elif isinstance(node, list):
        for item in node:
            _one_of_for_any_of(item)


def _node(document: Json, pointer: str) -> Any:
    node: Any = document
    for part in pointer.strip("/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _escape(path: str) -> str:
    return path.replace("~", "~0").replace("/", "~1")


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
    nullable ``oneOf [null, X]`` fails on X's fields, not on "is not null". A ``oneOf`` of
    constants (Discord's enums) is reported as one list of choices.
    """
    for error in errors:
        if error.validator not in ("oneOf", "anyOf") or not error.context:
            yield error
            continue
        if all(sub.validator == "const" and not sub.relative_path for sub in error.context):
            choices = [sub.validator_value for sub in error.context]
            yield ValidationError(
                "not one of the choices",
                validator="enum",
                validator_value=choices,
                instance=error.instance,
                path=error.absolute_path,
            )
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
        case "enum" | "const":
            choices = limit if error.validator == "enum" else [limit]
            return "BASE_TYPE_CHOICES", "Value must be one of {" + ", ".join(map(str, choices)) + "}."
        case "pattern" if limit == _SNOWFLAKE_PATTERN:
            return "NUMBER_TYPE_COERCE", f'Value "{value}" is not snowflake.'
        case "pattern":
            return "STRING_TYPE_REGEX", "String value did not match validation regex."
        case "type":
            return _type_error(limit, value)
    return "BASE_TYPE_INVALID", error.message


def _type_error(expected: str | list[str], value: Any) -> tuple[str, str]:
    wanted = [expected] if isinstance(expected, str) else [t for t in expected if t != "null"]
    match wanted[0] if wanted else "null":
        case "object":
            return "MODEL_TYPE_CONVERT", "Expected an object/dictionary."
        case "array":
            return "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType"
        case "integer" | "number":
            return "NUMBER_TYPE_COERCE", f'Value "{value}" is not int.'
        case "boolean":
            return "BOOLEAN_TYPE_CONVERT", f'Value "{value}" is not bool.'
        case "string":
            return "STRING_TYPE_CONVERT", f'Could not interpret "{value}" as string.'
    return "BASE_TYPE_INVALID", f"Value must be {' or '.join(wanted) or 'null'}."


def _dotted(path: Iterable[Any]) -> str:
    return ".".join(str(part) for part in path) or "(body)"
