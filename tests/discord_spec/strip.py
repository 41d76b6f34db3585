"""Strip Discord's OpenAPI description down to the facts the loopback Discord validates against.

Run from the repository root after updating ``/work/shared/discord-api-spec`` (or give the path):

    python tests/discord_spec/strip.py [SOURCE_OPENAPI_JSON]

It writes ``tests/discord_spec/openapi.json``:

* every path with every method Discord has, so the loopback Discord can tell "Discord has no
  such route" (404/405) from "Discord has it but fakediscord does not serve it";
* for the operations in ``SERVED`` (what tests/fakediscord implements) their parameters, request
  bodies and response schemas; other operations keep only their ``operationId``;
* only the component schemas those operations reach;
* none of the prose or annotations: ``description``, ``summary``, ``title``, ``format``,
  ``contentEncoding``, ``x-*`` extensions, response headers, security, servers.

When fakediscord serves a new route, add its ``operationId`` to ``SERVED`` and rerun; a test
(tests/test_fakediscord_spec.py) fails until the two agree. Record the source commit in SOURCE.md.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_SOURCE = HERE.parents[2] / "shared" / "discord-api-spec" / "openapi.json"
TARGET = HERE / "openapi.json"

SERVED = frozenset(
    {
        "get_gateway",
        "get_bot_gateway",
        "get_my_user",
        "get_my_oauth2_application",
        "get_user",
        "get_guild",
        "list_guild_channels",
        "get_guild_member",
        "get_channel",
        "list_messages",
        "create_message",
        "trigger_typing_indicator",
        "get_message",
        "update_message",
        "delete_message",
        "add_my_message_reaction",
        "delete_my_message_reaction",
        "delete_user_message_reaction",
        "delete_all_message_reactions_by_emoji",
        "delete_all_message_reactions",
        "list_message_reactions_by_emoji",
        "create_thread_from_message",
        "list_application_commands",
        "bulk_set_application_commands",
        "list_guild_application_commands",
        "bulk_set_guild_application_commands",
        "create_interaction_response",
        "execute_webhook",
        "get_original_webhook_message",
        "update_original_webhook_message",
        "delete_original_webhook_message",
        "get_webhook_message",
        "update_webhook_message",
        "delete_webhook_message",
    }
)

# Annotations only: validation never reads them (JSON Schema 2020-12 treats ``format`` as one).
_DROPPED_KEYWORDS = frozenset({"description", "summary", "title", "format", "contentEncoding", "example", "examples"})
# Keywords whose value maps names (not keywords) to schemas.
_NAME_MAPS = frozenset({"properties", "patternProperties", "$defs"})
# Content types discord.py sends; form-urlencoded bodies never come from it.
_CONTENT_TYPES = ("application/json", "multipart/form-data")


def strip_schema(node: Any) -> Any:
    """A schema without prose; keys of ``properties`` are field names and always kept."""
    if isinstance(node, list):
        return [strip_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    stripped = {}
    for key, value in node.items():
        if key in _DROPPED_KEYWORDS or key.startswith("x-"):
            continue
        if key in _NAME_MAPS:
            stripped[key] = {name: strip_schema(schema) for name, schema in value.items()}
        else:
            stripped[key] = strip_schema(value)
    return stripped


def _content(content: dict[str, Any]) -> dict[str, Any]:
    return {kind: strip_schema(media) for kind, media in content.items() if kind in _CONTENT_TYPES}


def strip_operation(operation: dict[str, Any]) -> dict[str, Any]:
    stripped: dict[str, Any] = {"operationId": operation["operationId"]}
    if operation["operationId"] not in SERVED:
        return stripped
    if "parameters" in operation:
        stripped["parameters"] = strip_schema(operation["parameters"])
    if "requestBody" in operation:
        body = operation["requestBody"]
        stripped["requestBody"] = {"content": _content(body["content"]), "required": body.get("required", False)}
    responses = {}
    for status, response in operation["responses"].items():
        if "$ref" in response:
            responses[status] = response
        else:
            responses[status] = {"content": _content(response["content"])} if "content" in response else {}
    stripped["responses"] = responses
    return stripped


def _references(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                found.add(value)
            else:
                _references(value, found)
    elif isinstance(node, list):
        for item in node:
            _references(item, found)


def _reachable(roots: Any, components: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The components (``#/components/KIND/NAME``) that ``roots`` reference, transitively."""
    kept: dict[str, dict[str, Any]] = {}
    pending: set[str] = set()
    _references(roots, pending)
    while pending:
        _, _, kind, name = pending.pop().split("/")
        if name in kept.setdefault(kind, {}):
            continue
        kept[kind][name] = components[kind][name]
        _references(kept[kind][name], pending)
    return {kind: dict(sorted(entries.items())) for kind, entries in sorted(kept.items())}


def strip_document(document: dict[str, Any]) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for path, item in document["paths"].items():
        stripped_item: dict[str, Any] = {}
        for key, value in item.items():
            stripped_item[key] = strip_schema(value) if key == "parameters" else strip_operation(value)
        paths[path] = stripped_item
    served = {op["operationId"] for item in paths.values() for key, op in item.items() if key != "parameters"}
    missing = SERVED - served
    if missing:
        raise SystemExit(f"operations in SERVED that the source does not have: {sorted(missing)}")
    components = {
        "schemas": {name: strip_schema(schema) for name, schema in document["components"]["schemas"].items()},
        "responses": {
            name: {"content": _content(response["content"])}
            for name, response in document["components"]["responses"].items()
        },
    }
    return {
        "openapi": document["openapi"],
        "info": {"title": document["info"]["title"], "version": document["info"]["version"]},
        "paths": paths,
        "components": _reachable(paths, components),
    }


def dump(document: dict[str, Any]) -> str:
    """JSON with one line per path and per component: small, and a new spec version diffs readably."""

    def compact(value: Any) -> str:
        return json.dumps(value, sort_keys=True, separators=(",", ":"))

    def block(entries: dict[str, Any], indent: str) -> str:
        lines = [f"{indent}{compact(name)}:{compact(value)}" for name, value in sorted(entries.items())]
        return "{\n" + ",\n".join(lines) + "\n" + indent[:-1] + "}"

    components = ",\n".join(
        f"  {compact(kind)}:{block(entries, '   ')}" for kind, entries in sorted(document["components"].items())
    )
    return (
        "{\n"
        f' "components":{{\n{components}\n }},\n'
        f' "info":{compact(document["info"])},\n'
        f' "openapi":{compact(document["openapi"])},\n'
        f' "paths":{block(document["paths"], "  ")}\n'
        "}\n"
    )


def main(argv: list[str]) -> int:
    source = Path(argv[1]) if len(argv) > 1 else DEFAULT_SOURCE
    stripped = strip_document(json.loads(source.read_text(encoding="utf-8")))
    text = dump(stripped)
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET} ({len(text):,} characters) from {source}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
