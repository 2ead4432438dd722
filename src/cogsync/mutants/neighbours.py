"""Mutants that conflate neighbours: keys or dataset names a storage layer or a proxy
takes for one another though the contract says they are distinct.

Each bug hides from ordinary data (``highScore``, ``scores``): it shows only when two
names differ by letter case, by Unicode normalization form, by surrounding
whitespace, or by one level of percent-encoding. The directed probe
``neighbours_stay_apart`` and the neighbour pairs the strategies draw reach them.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Collection, Iterable, Mapping
from typing import Any
from urllib.parse import unquote

from cogsync.emulator.backend import CognitoSyncBackend
from cogsync.emulator.state import DatasetScope, RecordState
from cogsync.emulator.wire import CognitoSyncApp
from cogsync.mutants._parts import ProxyStorage, TransactionProxy, serve

#: Above every sync count a server can hold (a long).
_ANY_COUNT = 2**63 - 1


class _CaseInsensitiveKeyIndex(TransactionProxy):
    def records(self, scope: DatasetScope, keys: Collection[str]) -> dict[str, RecordState]:
        """Keys are looked up through a case-insensitive index (a MySQL ``_ci`` collation)."""
        stored = {r.key.casefold(): r
                  for r in self.inner.changed_records(scope, above=-1, up_to=_ANY_COUNT)}
        return {key: stored[key.casefold()] for key in keys if key.casefold() in stored}


def keys_case_insensitive() -> CognitoSyncApp:
    return serve(storage=ProxyStorage(_CaseInsensitiveKeyIndex))


class _StrippedKeys(TransactionProxy):
    def put_records(self, scope: DatasetScope, records: Iterable[RecordState]) -> None:
        """The ORM strips surrounding whitespace from string columns when it saves them."""
        self.inner.put_records(scope, [
            dataclasses.replace(r, key=r.key.strip() or r.key) for r in records
        ])


def keys_whitespace_stripped() -> CognitoSyncApp:
    return serve(storage=ProxyStorage(_StrippedKeys))


class _NormalizedKeys(TransactionProxy):
    def put_records(self, scope: DatasetScope, records: Iterable[RecordState]) -> None:
        """Keys are NFC-normalized on save ("the same text"), so an NFD key is stored NFC."""
        self.inner.put_records(scope, [
            dataclasses.replace(r, key=unicodedata.normalize("NFC", r.key)) for r in records
        ])


def keys_nfc_normalized() -> CognitoSyncApp:
    return serve(storage=ProxyStorage(_NormalizedKeys))


class _NormalizedDatasetNames(CognitoSyncBackend):
    def read(self, operation: str, params: Mapping[str, Any]) -> Any:
        """Dataset names are NFC-normalized before they are checked (canonical URLs), so
        the Kelvin sign U+212A reads as the letter K and an invalid name aliases a valid one."""
        name = params.get("DatasetName")
        if isinstance(name, str):
            params = {**params, "DatasetName": unicodedata.normalize("NFC", name)}
        return super().read(operation, params)


def dataset_names_nfc_normalized() -> CognitoSyncApp:
    return serve(_NormalizedDatasetNames)


class _LabelDecodedTwice(CognitoSyncApp):
    def path_labels(self, method: str, raw_path: str) -> tuple[str, dict[str, str]]:
        """A proxy in front decodes the path, then the app decodes the dataset label again."""
        operation, labels = super().path_labels(method, raw_path)
        if "DatasetName" in labels:
            labels["DatasetName"] = unquote(labels["DatasetName"])
        return operation, labels


def dataset_label_decoded_twice() -> CognitoSyncApp:
    return serve(app_class=_LabelDecodedTwice)


class _LabelNotDecoded(CognitoSyncApp):
    def path_labels(self, method: str, raw_path: str) -> tuple[str, dict[str, str]]:
        """The proxy already decoded the path, the app thinks: the dataset label is used as sent."""
        operation, labels = super().path_labels(method, raw_path)
        if "DatasetName" in labels:
            labels["DatasetName"] = raw_path.split("/")[6]
        return operation, labels


def dataset_label_not_decoded() -> CognitoSyncApp:
    return serve(app_class=_LabelNotDecoded)
