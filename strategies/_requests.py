"""Valid requests, as :class:`~cogsync.contracts.calls.Call` objects.

Params are exactly what boto3 takes (``client.update_records(**call.params)``), with
timestamps as epoch seconds. Only a server can issue a SyncSessionToken, so update
requests carry :data:`TOKEN_PLACEHOLDER` (or the token the caller passes) and
:func:`with_session_token` swaps in a real one just before sending.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from hypothesis import strategies as st

from cogsync.contracts import constraints as C
from cogsync.contracts.calls import Call
from cogsync.errors import UsageError
from cogsync.strategies import _fields, _ids, _patches
from cogsync.strategies._arguments import check_strategy

#: Stands for "the SyncSessionToken a ListRecords of this dataset just returned".
TOKEN_PLACEHOLDER = "<cogsync:sync-session-token>"

#: Largest MaxResults drawn: what the AWS SDKs send (the service maximum is a MAY).
MAX_RESULTS_DRAWN = C.DEFAULT_LIMITS.max_records_per_dataset

#: How often an optional member is left out when the default strategy draws it.
_ABSENT_ONE_IN = 8


def with_session_token(call: Call, token: str) -> Call:
    """``call`` with :data:`TOKEN_PLACEHOLDER` replaced by ``token``.

    Any other SyncSessionToken (missing, of the wrong type, deliberately made up) is
    left alone, so an invalid request stays exactly as invalid as it was drawn.
    """
    if not isinstance(token, str):
        raise UsageError.bad_argument("token", token, "a string a ListRecords returned")
    if call.params.get("SyncSessionToken") != TOKEN_PLACEHOLDER:
        return call
    return dataclasses.replace(call, params={**call.params, "SyncSessionToken": token})


def optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Usually a draw of ``strategy``, now and then None (the member is left out)."""
    return st.integers(0, _ABSENT_ONE_IN - 1).flatmap(
        lambda n: strategy if n else st.none()
    )


def _scope_strategies(
    pool_ids: st.SearchStrategy[str] | None,
    identity_ids: st.SearchStrategy[str] | None,
    dataset_names: st.SearchStrategy[str] | None,
) -> dict[str, st.SearchStrategy[Any]]:
    check_strategy("pool_ids", pool_ids)
    check_strategy("identity_ids", identity_ids)
    check_strategy("dataset_names", dataset_names)
    return {
        "IdentityPoolId": pool_ids if pool_ids is not None else _ids.identity_pool_ids(),
        "IdentityId": identity_ids if identity_ids is not None else _ids.identity_ids(),
        "DatasetName": dataset_names if dataset_names is not None else _fields.dataset_names(),
    }


def _calls(operation: str, members: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[Call]:
    """Calls whose params are drawn member by member; members drawn as None are left out."""
    return st.fixed_dictionaries(members).map(
        lambda params: Call(operation, {k: v for k, v in params.items() if v is not None})
    )


def update_records_requests(
    *,
    pool_ids: st.SearchStrategy[str] | None = None,
    identity_ids: st.SearchStrategy[str] | None = None,
    dataset_names: st.SearchStrategy[str] | None = None,
    patch_lists: st.SearchStrategy[list[dict] | None] | None = None,
    device_ids: st.SearchStrategy[str | None] | None = None,
    sync_session_token: str = TOKEN_PLACEHOLDER,
) -> st.SearchStrategy[Call]:
    """Valid ``UpdateRecords`` calls.

    Each option is a strategy for one member (default: the strategy of that name in
    this package); ``patch_lists`` and ``device_ids`` may draw None to leave the member
    out, which the defaults do now and then (an absent RecordPatches is SYNC-6).
    ``sync_session_token`` defaults to :data:`TOKEN_PLACEHOLDER`; fill it in with
    :func:`with_session_token`. Examples shrink to::

        Call('UpdateRecords', {'IdentityPoolId': 'us-east-1:00000000-...',
             'IdentityId': 'us-east-1:00000000-...', 'DatasetName': '0',
             'SyncSessionToken': '<cogsync:sync-session-token>'})
    """
    members = _scope_strategies(pool_ids, identity_ids, dataset_names)
    check_strategy("patch_lists", patch_lists)
    check_strategy("device_ids", device_ids)
    if not isinstance(sync_session_token, str):
        raise UsageError.bad_argument(
            "sync_session_token", sync_session_token, "a string (default TOKEN_PLACEHOLDER)"
        )
    members["DeviceId"] = device_ids if device_ids is not None else optional(
        _fields.device_ids()
    )
    members["RecordPatches"] = patch_lists if patch_lists is not None else optional(
        _patches.patch_lists()
    )
    members["SyncSessionToken"] = st.just(sync_session_token)
    return _calls("UpdateRecords", members)


def list_records_requests(
    *,
    pool_ids: st.SearchStrategy[str] | None = None,
    identity_ids: st.SearchStrategy[str] | None = None,
    dataset_names: st.SearchStrategy[str] | None = None,
    last_sync_counts: st.SearchStrategy[int | None] | None = None,
    max_results: st.SearchStrategy[int | None] | None = None,
) -> st.SearchStrategy[Call]:
    """Valid ``ListRecords`` calls (no NextToken: only a server can issue one).

    ``last_sync_counts`` and ``max_results`` may draw None to leave the member out;
    by default LastSyncCount is any count and MaxResults 1..1024, each sometimes
    absent. Examples shrink to::

        Call('ListRecords', {'IdentityPoolId': 'us-east-1:00000000-...',
             'IdentityId': 'us-east-1:00000000-...', 'DatasetName': '0'})
    """
    members = _scope_strategies(pool_ids, identity_ids, dataset_names)
    check_strategy("last_sync_counts", last_sync_counts)
    check_strategy("max_results", max_results)
    members["LastSyncCount"] = last_sync_counts if last_sync_counts is not None else optional(
        _fields.sync_counts()
    )
    members["MaxResults"] = max_results if max_results is not None else optional(
        st.integers(1, MAX_RESULTS_DRAWN)
    )
    return _calls("ListRecords", members)


def describe_dataset_requests(
    *,
    pool_ids: st.SearchStrategy[str] | None = None,
    identity_ids: st.SearchStrategy[str] | None = None,
    dataset_names: st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[Call]:
    """Valid ``DescribeDataset`` calls."""
    return _calls("DescribeDataset", _scope_strategies(pool_ids, identity_ids, dataset_names))


def delete_dataset_requests(
    *,
    pool_ids: st.SearchStrategy[str] | None = None,
    identity_ids: st.SearchStrategy[str] | None = None,
    dataset_names: st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[Call]:
    """Valid ``DeleteDataset`` calls."""
    return _calls("DeleteDataset", _scope_strategies(pool_ids, identity_ids, dataset_names))


def list_datasets_requests(
    *,
    pool_ids: st.SearchStrategy[str] | None = None,
    identity_ids: st.SearchStrategy[str] | None = None,
    max_results: st.SearchStrategy[int | None] | None = None,
) -> st.SearchStrategy[Call]:
    """Valid ``ListDatasets`` calls (no NextToken); MaxResults as in
    :func:`list_records_requests`."""
    members = _scope_strategies(pool_ids, identity_ids, None)
    del members["DatasetName"]
    check_strategy("max_results", max_results)
    members["MaxResults"] = max_results if max_results is not None else optional(
        st.integers(1, MAX_RESULTS_DRAWN)
    )
    return _calls("ListDatasets", members)


#: Operation name -> the strategy function for valid calls of it.
VALID_REQUESTS = {
    "UpdateRecords": update_records_requests,
    "ListRecords": list_records_requests,
    "DescribeDataset": describe_dataset_requests,
    "DeleteDataset": delete_dataset_requests,
    "ListDatasets": list_datasets_requests,
}
