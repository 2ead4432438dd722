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
  still takes any spelling, ``1.70057487582E9`` included. The compiled validator
  reads integers as JSON Schema does; :func:`sure_fit` then looks for a float at
  the few places the schema wants an integer (:func:`integer_spots`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
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


@cache
def compiled_validator(name: str) -> Any:
    """The compiled validator of ``name`` (jsonschema-rs matches ``$`` only at the very
    end, so the anchored patterns already match whole strings). It reads ``2.0`` as an
    integer, as JSON Schema does: :func:`sure_fit` adds the wire's integer literal."""
    return jsonschema_rs.validator_for(load_schema(name))


#: Where a schema wants integers: True (here), a dict (an object's members that hold
#: some) or a one-item list (an array whose items do). None: nowhere.
IntegerSpots = bool | dict[str, "IntegerSpots"] | list["IntegerSpots"] | None


def _spots(node: Any, defs: dict[str, Any]) -> IntegerSpots:
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return _spots(defs[ref.removeprefix("#/$defs/")], defs)
    kinds = node.get("type")
    if kinds == "integer" or (isinstance(kinds, list) and "integer" in kinds):
        return True
    if isinstance(node.get("items"), dict):
        inner = _spots(node["items"], defs)
        if inner is not None:
            return [inner]
    members: dict[str, IntegerSpots] = {
        name: spot for name, sub in (node.get("properties") or {}).items()
        if (spot := _spots(sub, defs)) is not None}
    return members or None


@cache
def integer_spots(name: str) -> IntegerSpots:
    """Where ``name`` wants integers (the schemas use ``properties``, ``items`` and local
    ``$ref`` s only; a test holds :func:`sure_fit` to jsonschema's reading)."""
    schema = load_schema(name)
    return _spots(schema, schema.get("$defs", {}))


def _never(instance: Any) -> bool:
    return False


def _float_finder(spots: IntegerSpots) -> Callable[[Any], bool]:
    """A function telling whether an instance holds a float where ``spots`` wants an
    integer, built once per schema (every answer is asked: no walk of the spots)."""
    if spots is True:
        return lambda instance: instance.__class__ is float
    if isinstance(spots, list):
        inner = _float_finder(spots[0])
        return lambda instance: instance.__class__ is list and any(map(inner, instance))
    if not isinstance(spots, dict):
        return _never
    here = tuple(member for member, spot in spots.items() if spot is True)
    below = tuple((member, _float_finder(spot)) for member, spot in spots.items() if spot is not True)

    def finds(instance: Any) -> bool:
        if instance.__class__ is not dict:
            return False
        get = instance.get
        for member in here:
            if get(member).__class__ is float:
                return True
        for member, finder in below:
            value = get(member)
            if value is not None and finder(value):
                return True
        return False

    return finds


@cache
def _finder(name: str) -> Callable[[Any], bool]:
    return _float_finder(integer_spots(name))


@cache
def loose_fit(name: str) -> Callable[[Any], bool]:
    """A function telling whether an instance fits ``name``, reading ``2.0`` as an
    integer (False also when the validator cannot read it). Built once per schema."""
    is_valid = compiled_validator(name).is_valid

    def fits(instance: Any) -> bool:
        try:
            return bool(is_valid(instance))
        except (ValueError, TypeError, OverflowError):  # e.g. a lone surrogate: let jsonschema judge
            return False

    return fits


@cache
def sure_fit(name: str) -> Callable[[Any], bool]:
    """A function telling whether an instance fits ``name``, every integer an integer
    literal (False also when the compiled validator cannot read it: jsonschema then
    judges). Built once per schema: every answer asks."""
    is_valid, has_float = compiled_validator(name).is_valid, _finder(name)

    def fits(instance: Any) -> bool:
        try:
            return bool(is_valid(instance)) and not has_float(instance)
        except (ValueError, TypeError, OverflowError):  # as in loose_fit
            return False

    return fits


def errors(name: str, instance: Any) -> list[ValidationError]:
    """Every way ``instance`` breaks the schema ``name`` (empty when valid)."""
    if sure_fit(name)(instance):
        return []
    return sorted(validator(name).iter_errors(instance), key=lambda e: list(e.absolute_path))


def is_valid(name: str, instance: Any) -> bool:
    return not errors(name, instance)
