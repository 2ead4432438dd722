"""Every mutant is the real emulator with one seam replaced: nothing restated, nothing else.

A mutant is built from the code ``cogsync serve`` runs. These tests read what each
mutant's app is made of (which classes, which overridden methods, which storage,
which constructor arguments) and compare it with the reference, so a mutant that
restates an operation, or bends two things at once, fails here by name.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import time
from collections.abc import Iterator
from typing import Any

import pytest

import cogsync.mutants
from cogsync.contracts.constraints import DEFAULT_LIMITS
from cogsync.emulator import backend as backend_module
from cogsync.emulator import wire as wire_module
from cogsync.emulator.auth import SigV4Verifier
from cogsync.emulator.backend import CognitoSyncBackend
from cogsync.emulator.choices import REFERENCE
from cogsync.emulator.storage import MemoryStorage, SQLiteStorage, Transaction
from cogsync.emulator.wire import CognitoSyncApp, default_max_body_bytes
from cogsync.mutants import CATALOG, reference, reference_with_signatures
from cogsync.mutants._parts import AnswerRewriter, ProxyStorage, TransactionProxy
from cogsync.mutants.signatures import signing_keys

#: The seam each mutant replaces, by mutant name. ``backend.X`` / ``app.X``: a method of
#: ``CognitoSyncBackend.SEAMS`` / ``CognitoSyncApp.SEAMS`` overridden; ``transaction.X``:
#: one storage transaction method bent; ``answers``: the app's answers rewritten;
#: ``backend.clock``, ``app.max_body_bytes``, ``app.credentials``: a constructor argument;
#: ``storage``: the backend's storage argument, another kind than the reference's (memory or
#: SQLite, the restart mutants' reference).
SEAM_OF: dict[str, str] = {
    "count-per-patch": "backend.record_counts",
    "response-carries-sent-count": "backend.write_body",
    "response-omits-removed-keys": "backend.write_body",
    "new-key-needs-dataset-count": "backend.held_count",
    "dataset-count-from-records": "backend.listing_body",
    "timestamps-in-milliseconds": "backend.clock",
    "device-date-dropped": "backend.read",
    "stale-replace-accepted": "backend.is_stale",
    "zero-count-always-accepted": "backend.is_stale",
    "remove-skips-conflict-check": "backend.is_stale",
    "partial-batch-on-conflict": "backend.store_refused",
    "conflict-bumps-count": "backend.store_refused",
    "conflict-message-reworded": "backend.conflict",
    "lost-update-race": "backend.check_and_commit",
    "retry-applied-twice": "backend.check_and_commit",
    "retry-answered-from-cache": "backend.check_and_commit",
    "session-retry-applied-twice": "backend.check_and_commit",
    "remove-deletes-row": "transaction.put_records",
    "tombstone-revive-needs-zero": "backend.held_count",
    "delta-listing-inclusive": "backend.delta_floor",
    "missing-dataset-listed-as-404": "backend.listed_dataset",
    "list-past-count-clamped": "backend.delta_floor",
    "pagination-skips-record": "transaction.changed_records",
    "count-is-page-size": "backend.listing_body",
    "count-is-dataset-size": "backend.listing_body",
    "listing-value-cache-stale": "transaction.changed_records",
    "listing-dates-from-dataset": "backend.listing_body",
    "token-missing-for-new-dataset": "backend.listing_body",
    "missing-token-accepted": "backend.write_needs_token",
    "token-not-bound-to-dataset": "backend.token_fits",
    "token-reusable": "backend.spend_token",
    "token-bound-to-dataset-name-only": "backend.token_fits",
    "list-datasets-omits-num-records": "backend.datasets_body",
    "describe-missing-answers-200": "backend.existing_dataset",
    "delete-keeps-records": "transaction.drop_records",
    "delete-only-empties-dataset": "backend.deleted_row",
    "no-deleted-after-flag": "backend.deleted_after",
    "data-storage-counts-characters": "backend.stored_size",
    "num-records-counts-every-replace": "backend.records_added",
    "no-dataset-limit": "backend.dataset_limit_reached",
    "record-limit-off-by-one": "backend.over_record_limit",
    "byte-limit-per-request": "backend.limited_totals",
    "limits-weigh-a-deleted-life": "backend.limited_totals",
    "datasets-keyed-by-name-only": "backend.owner_key",
    "datasets-shared-within-pool": "backend.owner_key",
    "datasets-keyed-by-identity-only": "backend.owner_key",
    "bound-credentials-not-enforced": "app.credentials",
    "signature-checked-after-write": "app.authenticated_call",
    "timestamps-as-iso-strings": "answers",
    "error-type-header-missing": "answers",
    "validation-exception-type": "answers",
    "bad-sync-count-type-500": "backend.read",
    "astral-characters-mangled": "transaction.put_records",
    "body-cap-too-small": "app.max_body_bytes",
    "large-body-crashes": "app.read_body",
    "unknown-op-treated-as-replace": "backend.read",
    "overlong-key-truncated": "backend.read",
    "colon-refused-in-dataset-names": "backend.read",
    "negative-sync-count-accepted": "backend.read",
    "writes-acknowledged-before-disk": "storage",
    "counters-restart-from-zero": "backend.count_before",
    "tombstones-not-persisted": "storage",
    "dataset-name-129-accepted": "backend.input_rules",
    "key-one-past-max-accepted": "backend.input_rules",
    "lengths-counted-in-utf8-bytes": "backend.read",
    "max-results-read-as-long": "backend.input_rules",
    "sync-count-overflow-500": "backend.read",
    "malformed-json-body-500": "app.request_document",
    "empty-body-500": "app.request_document",
    "json-array-body-500": "app.request_document",
    "amz-json-content-type-refused": "app.request_document",
    "next-token-carries-its-dataset": "backend.resume_listing",
    "last-sync-count-as-int32": "backend.delta_floor",
    "keys-case-insensitive": "transaction.records",
    "keys-whitespace-stripped": "transaction.put_records",
    "keys-nfc-normalized": "transaction.put_records",
    "dataset-names-nfc-normalized": "backend.read",
    "dataset-label-decoded-twice": "app.path_labels",
    "dataset-label-not-decoded": "app.path_labels",
    "byte-limit-per-identity": "backend.limited_totals",
    "delete-not-atomic": "backend.delete_and_commit",
}

TRANSACTION_METHODS = frozenset(
    name for name, member in vars(Transaction).items()
    if inspect.isfunction(member) and not name.startswith("_")
)
#: Base class -> the methods a subclass in the catalog may define.
SEAMS_BY_BASE: dict[type, frozenset[str]] = {
    CognitoSyncBackend: frozenset(CognitoSyncBackend.SEAMS),
    CognitoSyncApp: frozenset(CognitoSyncApp.SEAMS),
    TransactionProxy: TRANSACTION_METHODS,
}
#: Where the catalog's bent parts come from (not mutants themselves).
PLUMBING = {"cogsync.mutants._parts", "cogsync.mutants.catalog"}


def _overridden(cls: type, base: type) -> set[str]:
    """Methods ``cls`` (or a class between it and ``base``) defines itself."""
    found: set[str] = set()
    for klass in cls.__mro__[: cls.__mro__.index(base)]:
        found |= {name for name, member in vars(klass).items() if inspect.isfunction(member)}
    return found


def planted(app: Any) -> set[str]:
    """Every way ``app`` differs from the reference emulator, one name per seam."""
    found: set[str] = set()
    if isinstance(app, AnswerRewriter):
        found.add("answers")
        app = app.app
    found |= {f"app.{name}" for name in _overridden(type(app), CognitoSyncApp)}
    backend = app.backend
    if app.max_body_bytes != default_max_body_bytes(backend.limits.max_dataset_bytes):
        found.add("app.max_body_bytes")
    if app.auth is not None and app.auth.credentials != SigV4Verifier(signing_keys()).credentials:
        found.add("app.credentials")
    found |= {f"backend.{name}" for name in _overridden(type(backend), CognitoSyncBackend)}
    defaults = {"clock": time.time, "limits": DEFAULT_LIMITS, "token_ttl": None,
                "max_tokens_per_dataset": 4096, "choices": REFERENCE}
    found |= {f"backend.{name}" for name, value in defaults.items()
              if getattr(backend, name) != value}
    storage = backend.storage
    if isinstance(storage, ProxyStorage):
        found |= {f"transaction.{name}" for name in _overridden(storage.proxy, TransactionProxy)}
    elif type(storage) not in (MemoryStorage, SQLiteStorage):
        found.add("storage")
    return found


def mutant_modules() -> Iterator[Any]:
    for info in pkgutil.iter_modules(cogsync.mutants.__path__, "cogsync.mutants."):
        if info.name not in PLUMBING:
            yield importlib.import_module(info.name)


def test_the_reference_builds_plant_nothing():
    assert planted(reference()) == set()
    assert planted(reference_with_signatures()) == set()


def test_the_seam_listing_names_every_mutant_of_the_catalog():
    assert set(SEAM_OF) == {m.name for m in CATALOG}


@pytest.mark.parametrize("mutant", CATALOG, ids=lambda m: m.name)
def test_each_mutant_replaces_exactly_its_listed_seam(mutant):
    assert planted(mutant.build()) == {SEAM_OF[mutant.name]}


def test_every_class_of_a_mutant_module_bends_the_real_parts_through_their_seams():
    """No restated operation: a mutant's classes define only seams of the part they extend."""
    offences = []
    for module in mutant_modules():
        for name, cls in vars(module).items():
            if not inspect.isclass(cls) or cls.__module__ != module.__name__:
                continue
            bases = [base for base in SEAMS_BY_BASE if issubclass(cls, base)]
            if len(bases) != 1:
                offences.append(f"{module.__name__}.{name} extends none of the real parts")
                continue
            extra = _overridden(cls, bases[0]) - SEAMS_BY_BASE[bases[0]]
            if extra:
                offences.append(f"{module.__name__}.{name} defines {sorted(extra)}, not seams")
    assert offences == []


def test_the_catalog_has_no_copy_of_the_backend():
    names = {info.name for info in pkgutil.iter_modules(cogsync.mutants.__path__)}
    assert "_seams" not in names


@pytest.mark.parametrize(("owner", "module"), [(CognitoSyncBackend, backend_module),
                                               (CognitoSyncApp, wire_module)])
def test_every_seam_is_a_method_saying_in_one_line_what_it_decides(owner, module):
    assert len(set(owner.SEAMS)) == len(owner.SEAMS)
    for name in owner.SEAMS:
        method = vars(owner).get(name)
        assert inspect.isfunction(method), f"{owner.__name__}.{name} is not a method"
        doc = inspect.getdoc(method) or ""
        assert doc and "\n" not in doc, f"{owner.__name__}.{name} needs a one-line docstring"
        assert f"``{name}``" in (module.__doc__ or ""), f"{module.__name__} does not document {name}"
