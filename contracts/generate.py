"""Write the committed contract files from botocore's cognito-sync service model.

Run ``python -m cogsync.contracts.generate`` after upgrading botocore; a test
regenerates everything in memory and fails on any drift from what is committed.

Output, next to this file:
- ``<Shape>.json``: one JSON Schema (draft 2020-12) per input, output and error
  shape of the five records calls. Inputs use boto3's parameter names; timestamps
  are JSON numbers (epoch seconds), as rest-json sends them.
- ``openapi.json``: an OpenAPI 3.1 document of the same five calls.

Patterns: the service applies Java regular expressions to the whole value, and
Java's ``\\w`` is ASCII only. We write them anchored (``^...$``) with ``\\w``
spelled out; :mod:`cogsync.contracts.schemas` validates them as full matches.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import botocore.session

from cogsync.contracts.calls import OPERATIONS

SERVICE = "cognito-sync"
API_VERSION = "2014-06-30"
HERE = Path(__file__).resolve().parent
SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def load_service_model() -> dict[str, Any]:
    loader = botocore.session.get_session().get_component("data_loader")
    model: dict[str, Any] = loader.load_service_model(SERVICE, "service-2", API_VERSION)
    return model


def java_to_anchored(pattern: str) -> str:
    """Make a Java full-match pattern an anchored ECMA/Python one with ASCII ``\\w``."""
    return "^(?:" + pattern.replace("\\w", "A-Za-z0-9_") + ")$"


class _SchemaBuilder:
    """Turns botocore shapes into JSON Schema fragments."""

    def __init__(self, model: dict[str, Any]):
        self.shapes = model["shapes"]
        self.defs: dict[str, Any] = {}

    def shape(self, name: str, *, top: bool = False) -> dict[str, Any]:
        shape = self.shapes[name]
        kind = shape["type"]
        if kind == "structure":
            if top:
                return self.structure(name)
            if name not in self.defs:
                self.defs[name] = {}  # placeholder stops recursion
                self.defs[name] = self.structure(name)
            return {"$ref": f"#/$defs/{name}"}
        if kind == "list":
            return {"type": "array", "items": self.shape(shape["member"]["shape"])}
        if kind == "string":
            out: dict[str, Any] = {"type": "string"}
            if "enum" in shape:
                out["enum"] = list(shape["enum"])
            if "min" in shape:
                out["minLength"] = shape["min"]
            if "max" in shape:
                out["maxLength"] = shape["max"]
            if "pattern" in shape:
                out["pattern"] = java_to_anchored(shape["pattern"])
            return out
        if kind in ("long", "integer"):
            # A Java long or int on the service's side: a number past it cannot be read.
            bits = 64 if kind == "long" else 32
            return {"type": "integer", "format": f"int{bits}",
                    "minimum": -(2 ** (bits - 1)), "maximum": 2 ** (bits - 1) - 1}
        if kind == "boolean":
            return {"type": "boolean"}
        if kind == "timestamp":
            return {"type": "number", "description": "epoch seconds"}
        raise ValueError(f"shape {name} has type {kind}, which the generator does not handle")

    def structure(self, name: str) -> dict[str, Any]:
        shape = self.shapes[name]
        props = {}
        for member, ref in shape.get("members", {}).items():
            prop = self.shape(ref["shape"])
            if ref.get("location"):
                prop = {**prop, "x-location": ref["location"], "x-location-name": ref["locationName"]}
            props[member] = prop
        out: dict[str, Any] = {"type": "object", "properties": props}
        if shape.get("required"):
            out["required"] = list(shape["required"])
        return out


def shape_schema(model: dict[str, Any], name: str) -> dict[str, Any]:
    builder = _SchemaBuilder(model)
    body = builder.shape(name, top=True)
    shape = model["shapes"][name]
    schema: dict[str, Any] = {
        "$schema": SCHEMA_DIALECT,
        "$id": f"https://cogsync.invalid/contracts/{name}.json",
        "title": name,
        **body,
    }
    if shape.get("exception"):
        schema["properties"] = {**schema["properties"], "__type": {"type": "string"}}
        schema["x-status"] = shape["error"]["httpStatusCode"]
    if builder.defs:
        schema["$defs"] = dict(sorted(builder.defs.items()))
    return schema


def operation_shapes(model: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """For each of the five calls: its input, output and error shape names."""
    out = {}
    for op in OPERATIONS:
        spec = model["operations"][op]
        out[op] = {
            "input": spec["input"]["shape"],
            "output": spec["output"]["shape"],
            "errors": [e["shape"] for e in spec["errors"]],
            "method": spec["http"]["method"],
            "uri": spec["http"]["requestUri"],
        }
    return out


def all_schemas(model: dict[str, Any]) -> dict[str, dict[str, Any]]:
    schemas: dict[str, dict[str, Any]] = {}
    for shapes in operation_shapes(model).values():
        schemas[shapes["input"]] = shape_schema(model, shapes["input"])
        schemas[shapes["output"]] = shape_schema(model, shapes["output"])
        for err in shapes["errors"]:
            schemas[err] = shape_schema(model, err)
    return dict(sorted(schemas.items()))


def _strip_meta(schema: dict[str, Any]) -> dict[str, Any]:
    """A schema fragment fit for OpenAPI: no $schema/$id/x-location, refs to components."""
    text = json.dumps(schema)
    text = text.replace('"#/$defs/', '"#/components/schemas/')
    clean: dict[str, Any] = json.loads(text)
    for key in ("$schema", "$id", "$defs", "x-status"):
        clean.pop(key, None)
    return clean


def openapi_document(model: dict[str, Any]) -> dict[str, Any]:
    shapes = model["shapes"]
    schemas = all_schemas(model)
    components: dict[str, Any] = {}
    for schema in schemas.values():
        for def_name, fragment in schema.get("$defs", {}).items():
            components[def_name] = _strip_meta(fragment)
    paths: dict[str, Any] = {}
    for op, info in operation_shapes(model).items():
        in_schema = schemas[info["input"]]
        params = []
        body_props: dict[str, Any] = {}
        body_required = []
        for member, prop in in_schema["properties"].items():
            where = prop.get("x-location")
            clean = {k: v for k, v in prop.items() if not k.startswith("x-")}
            clean = _strip_meta(clean)
            required = member in in_schema.get("required", [])
            if where is None:
                body_props[member] = clean
                if required:
                    body_required.append(member)
                continue
            params.append(
                {
                    "name": prop["x-location-name"],
                    "in": {"uri": "path", "querystring": "query", "header": "header"}[where],
                    "required": True if where == "uri" else required,
                    "schema": clean,
                }
            )
        responses: dict[str, Any] = {
            "200": {
                "description": "success",
                "content": {
                    "application/json": {"schema": _strip_meta(schemas[info["output"]])}
                },
            }
        }
        by_status: dict[int, list[str]] = {}
        for err in info["errors"]:
            by_status.setdefault(shapes[err]["error"]["httpStatusCode"], []).append(err)
        for status, errs in sorted(by_status.items()):
            refs = [{"$ref": f"#/components/schemas/{e}"} for e in errs]
            for e in errs:
                components[e] = _strip_meta(schemas[e])
            responses[str(status)] = {
                "description": " or ".join(errs),
                "headers": {
                    "x-amzn-ErrorType": {"schema": {"type": "string"}, "required": True}
                },
                "content": {
                    "application/json": {"schema": refs[0] if len(refs) == 1 else {"anyOf": refs}}
                },
            }
        operation: dict[str, Any] = {
            "operationId": op,
            "parameters": params,
            "responses": responses,
        }
        if body_props:
            body_schema: dict[str, Any] = {
                "type": "object",
                "properties": body_props,
            }
            if body_required:
                body_schema["required"] = body_required
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": body_schema}},
            }
        paths.setdefault(info["uri"], {})[info["method"].lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Amazon Cognito Sync records API (as checked by cogsync)",
            "version": model["metadata"]["apiVersion"],
            "description": "Generated from botocore's cognito-sync service model by "
            "`python -m cogsync.contracts.generate`. Do not edit by hand.",
        },
        "paths": dict(sorted(paths.items())),
        "components": {"schemas": dict(sorted(components.items()))},
    }


def render(model: dict[str, Any] | None = None) -> dict[str, str]:
    """Every generated file, by file name, as the text we commit."""
    model = model or load_service_model()
    files = {f"{name}.json": _dump(schema) for name, schema in all_schemas(model).items()}
    files["openapi.json"] = _dump(openapi_document(model))
    return files


def _dump(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cogsync.contracts.generate", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write into (default: the contracts folder)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a committed file differs")
    args = parser.parse_args(argv)
    stale = []
    for name, text in render().items():
        path = args.out / name
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
    if stale:
        print("out of date: " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
