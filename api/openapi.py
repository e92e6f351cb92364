"""The OpenAPI spec, told truthfully: what the edge refuses is written into the schemas."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from retrieval.text import TEXT_PATTERN

Schema = dict[str, Any]


def truthful_openapi(app: FastAPI) -> Callable[[], Schema]:
    """`app.openapi`: FastAPI's spec, with every free text the API accepts (parameters and
    request bodies) saying that control characters are refused (see api/edge.py)."""

    def openapi() -> Schema:
        if app.openapi_schema is None:
            spec = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            for schema in _accepted_schemas(spec):
                _mark_free_text(schema, spec["components"]["schemas"], set())
            app.openapi_schema = spec
        return app.openapi_schema

    return openapi


def _accepted_schemas(spec: Schema) -> Iterator[Schema]:
    """The schemas of what clients send: parameters and request bodies."""
    for operations in spec["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                yield parameter["schema"]
            for media in operation.get("requestBody", {}).get("content", {}).values():
                yield media["schema"]


def _mark_free_text(schema: Schema, components: Schema, seen: set[str]) -> None:
    """Give each free string (no pattern, format, enum or const of its own) the text pattern."""
    ref = schema.get("$ref")
    if ref is not None:
        name = ref.rsplit("/", 1)[-1]
        if name not in seen:
            seen.add(name)
            _mark_free_text(components[name], components, seen)
        return
    if schema.get("type") == "string" and not {"pattern", "format", "enum", "const"} & set(schema):
        schema["pattern"] = TEXT_PATTERN
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            _mark_free_text(schema[key], components, seen)
    for key in ("properties", "patternProperties"):
        for child in schema.get(key, {}).values():
            _mark_free_text(child, components, seen)
    for key in ("anyOf", "oneOf", "allOf"):
        for child in schema.get(key, []):
            _mark_free_text(child, components, seen)
