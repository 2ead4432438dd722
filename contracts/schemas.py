"""Load the committed JSON Schemas and validate against them.

Every answer of a run is validated, so the question "is it valid?" goes to a
compiled validator (``jsonschema-rs``, built once per schema); pure-Python
``jsonschema`` is asked only to explain an instance the compiled one refused, since
its errors carry the paths and words a report shows.

Two readings differ from stock jsonschema, both for the wire's sake:

- The schemas write the service's patterns anchored (``^(?:...)$``). Python's ``$``
  also matches before a final newline, and jsonschema uses ``re.search``, so we
  validate ``pattern`` as a full match: ``"abc\\n"`` is not a valid dataset name.
- ``integer`` (the model's Integer and Long: SyncCount, DatasetSyncCount, Count,
  NumRecords, DataStorage) means a JSON integer literal. Python's ``json`` reads
  ``2.0`` as a float and stock jsonschema calls a float with no fraction an
  integer, but the Java SDKs' parsers break on ``2.0``. ``number`` (timestamps)
  still takes any spelling, ``1.70057487582E9`` included.
"""

from __future__ import annotations

import copy
import json
import re
from functools import cache
from importlib import resources
from typing import Any

import jsonschema
import jsonschema_rs
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from cogsync.errors import UsageError


def _full_match_pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Any:
    if not isinstance(instance, str):
        return
    body = pattern.removeprefix("^").removesuffix("$")
    if re.fullmatch(body, instance) is None:
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _is_integer_literal(checker: Any, instance: Any) -> bool:
    """An ``int`` as ``json`` parses ``2`` (not ``2.0``, ``2e0`` nor ``true``)."""
    return isinstance(instance, int) and not isinstance(instance, bool)


_WIRE_TYPES = Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_integer_literal)

FullMatchValidator = jsonschema.validators.extend(
    Draft202012Validator, {"pattern": _full_match_pattern}, type_checker=_WIRE_TYPES
)


@cache
def schema_names() -> tuple[str, ...]:
    files = resources.files("cogsync.contracts")
    return tuple(
        sorted(
            p.name.removesuffix(".json")
            for p in files.iterdir()
            if p.name.endswith(".json") and p.name != "openapi.json"
        )
    )


@cache
def load_schema(name: str) -> dict[str, Any]:
    """The schema of one shape, e.g. ``load_schema("UpdateRecordsRequest")``."""
    if name not in schema_names():
        raise UsageError.bad_argument("name", name, "one of " + ", ".join(schema_names()))
    text = resources.files("cogsync.contracts").joinpath(f"{name}.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def load_openapi() -> dict[str, Any]:
    text = resources.files("cogsync.contracts").joinpath("openapi.json").read_text("utf-8")
    doc: dict[str, Any] = json.loads(text)
    return doc


@cache
def validator(name: str) -> Any:
    """The explaining validator of ``name`` (pure Python; see :func:`errors`)."""
    return FullMatchValidator(load_schema(name))


#: A keyword of the compiled schemas, beside each ``"type": "integer"``.
WIRE_INTEGER = "x-cogsync-integer-literal"


class _IntegerLiteral:
    """jsonschema-rs keyword: an integer is an ``int`` (JSON Schema would take ``2.0``)."""

    def __init__(self, parent_schema: dict[str, Any], value: Any, schema_path: list[Any]) -> None:
        pass

    def validate(self, instance: Any) -> None:
        if isinstance(instance, float):
            raise ValueError(f"{instance!r} is not an integer literal")


def _marked(node: Any) -> Any:
    """``node`` with :data:`WIRE_INTEGER` beside every integer type (a copy)."""
    if isinstance(node, list):
        return [_marked(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _marked(value) for key, value in node.items()}
    kinds = node.get("type")
    if kinds == "integer" or (isinstance(kinds, list) and "integer" in kinds):
        out[WIRE_INTEGER] = True
    return out


@cache
def compiled_validator(name: str) -> Any:
    """The compiled validator of ``name``: the same two wire readings as :func:`validator`
    (jsonschema-rs matches ``$`` only at the very end, so anchored patterns already
    match whole strings; the integer literal is a custom keyword)."""
    schema = _marked(copy.deepcopy(load_schema(name)))
    return jsonschema_rs.validator_for(schema, keywords={WIRE_INTEGER: _IntegerLiteral})


@cache
def _plain_validator(name: str) -> Any:
    """``name`` compiled as written (an integer may be spelled ``2.0``): for callers that
    check their integers' types themselves, without the custom keyword's round trips."""
    return jsonschema_rs.validator_for(load_schema(name))


def valid_but_for_integer_spelling(name: str, instance: Any) -> bool:
    """Does ``instance`` fit ``name``, reading ``2.0`` as an integer? (False also when
    the validator cannot read it.)"""
    try:
        return bool(_plain_validator(name).is_valid(instance))
    except (ValueError, TypeError, OverflowError):
        return False


def surely_valid(name: str, instance: Any) -> bool:
    """Does the compiled validator accept ``instance``? (False also when it cannot read it.)"""
    try:
        return bool(compiled_validator(name).is_valid(instance))
    except (ValueError, TypeError, OverflowError):  # e.g. a lone surrogate: let jsonschema judge
        return False


def errors(name: str, instance: Any) -> list[ValidationError]:
    """Every way ``instance`` breaks the schema ``name`` (empty when valid)."""
    if surely_valid(name, instance):
        return []
    return sorted(validator(name).iter_errors(instance), key=lambda e: list(e.absolute_path))


def is_valid(name: str, instance: Any) -> bool:
    return not errors(name, instance)
