"""The preflight's classification: usable, unusable, inconclusive or broken, and why.

Each target is the real reference emulator in-process, behind a WSGI layer that
misbehaves one way, or a real socket on 127.0.0.1; every answer is judged by the real
model.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest

from cogsync.conformance.backoff import Backoff, BackoffPolicy
from cogsync.conformance.config import RunConfig
from cogsync.conformance.preflight import PREFLIGHT_KEY, PreflightReport, Verdict, run_preflight
from cogsync.conformance.scope import Scope
from cogsync.contracts.calls import Call, Ok
from cogsync.contracts.model import Model
from cogsync.targets.base import Target
from cogsync.targets.emulator_app import build_emulator_app
from cogsync.targets.http_target import HttpTarget
from cogsync.targets.in_process import InProcessTarget

App = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def preflight(target: Target, config: RunConfig | None = None, selected: frozenset[str] | None = None,
              ) -> PreflightReport:
    config = config or RunConfig()
    return run_preflight(target, model=Model(limits=config.limits), scope=Scope(config), selected=selected)


def emulator() -> App:
    app, _ = build_emulator_app()
    return app  # type: ignore[no-any-return]


def answer(status: str, body: bytes, headers: dict[str, str] | None = None) -> Callable[..., Iterable[bytes]]:
    def respond(start_response: Callable[..., Any]) -> Iterable[bytes]:
        start_response(status, list((headers or {}).items()))
        return [body]

    return respond


def aws_error(status: str, error_type: str, message: str = "no") -> Callable[..., Iterable[bytes]]:
    return answer(status, json.dumps({"message": message}).encode(),
                  {"Content-Type": "application/json", "x-amzn-ErrorType": error_type})


def everything(respond: Callable[..., Iterable[bytes]]) -> App:
    return lambda environ, start_response: respond(start_response)


def except_on(method: str, respond: Callable[..., Iterable[bytes]], app: App | None = None) -> App:
    """The real emulator, except that requests with ``method`` get ``respond``."""
    inner = app or emulator()

    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ["REQUEST_METHOD"] == method:
            return respond(start_response)
        return inner(environ, start_response)

    return wrapped


def test_the_reference_emulator_is_usable_and_left_as_it_was() -> None:
    app = emulator()
    target = InProcessTarget(app)
    report = preflight(target)
    assert report.verdict is Verdict.USABLE, report.reason
    assert report.failures == ()
    assert [s.call.operation for s in report.steps] == ["ListDatasets", "ListRecords", "UpdateRecords",
                                                       "DeleteDataset"]
    written = report.steps[2]
    assert written.call.params["RecordPatches"][0]["Key"] == PREFLIGHT_KEY
    gone = target.send(report.steps[1].call).outcome
    assert isinstance(gone, Ok) and gone.body["DatasetExists"] is False


@pytest.mark.parametrize("app, words", [
    (everything(aws_error("403 Forbidden", "UnrecognizedClientException", "The security token is invalid")),
     ["refused the credentials (ListDatasets answered 403 UnrecognizedClientException: "
      "The security token is invalid)", "AWS_PROFILE", "--no-sign-request"]),
    (except_on("POST", aws_error("403 Forbidden", "AccessDeniedException", "not allowed")),
     ["answers reads but refused a write (UpdateRecords answered 403 AccessDeniedException: not allowed)"]),
    (except_on("DELETE", aws_error("403 Forbidden", "NotAuthorizedException", "no deletes")),
     ["refused a write (DeleteDataset answered 403 NotAuthorizedException: no deletes)"]),
    (except_on("POST", aws_error("403 Forbidden", "InvalidSignatureException", "body hash")),
     ["refused the credentials (UpdateRecords answered 403 InvalidSignatureException: body hash)"]),
    (everything(answer("200 OK", b"<html><body>Welcome</body></html>", {"Content-Type": "text/html"})),
     ["is not a Cognito Sync endpoint: ListDatasets answered HTTP 200, text/html, body '<html><body>Welcome"]),
    (everything(answer("404 Not Found", b'{"error": "no route"}', {"Content-Type": "application/json"})),
     ["is not a Cognito Sync endpoint: ListDatasets and ListRecords answered HTTP 404, application/json"]),
    (everything(answer("200 OK", b"\x89PNG\r\n\x1a\n\x00\x00")),
     ["is not a Cognito Sync endpoint", "no Content-Type", "PNG"]),
])
def test_targets_cogsync_cannot_test_are_unusable_with_one_line_saying_why(app: App, words: list[str]) -> None:
    report = preflight(InProcessTarget(app, name="the-target"))
    assert report.verdict is Verdict.UNUSABLE, report.reason
    assert "\n" not in report.reason
    assert report.reason.startswith("the-target ")
    for word in words:
        assert word in report.reason


def test_an_unsigned_client_of_a_server_that_checks_signatures_is_told_how_to_sign() -> None:
    app, _ = build_emulator_app(auth={"AKIDEXAMPLE": "secret123"})
    report = preflight(InProcessTarget(app, sign=False))
    assert report.verdict is Verdict.UNUSABLE
    assert "MissingAuthenticationTokenException" in report.reason
    assert "AWS_ACCESS_KEY_ID" in report.reason
    signed = preflight(InProcessTarget(app, credentials=("AKIDEXAMPLE", "secret123")))
    assert signed.verdict is Verdict.USABLE, signed.reason


def test_a_404_that_names_resource_not_found_is_a_broken_cognito_sync_not_a_web_server() -> None:
    app = except_on("GET", aws_error("404 Not Found", "ResourceNotFoundException", "no dataset"))
    report = preflight(InProcessTarget(app))
    assert report.verdict is Verdict.BROKEN, report.reason
    assert {f.property_id for f in report.failures} >= {"LIST-2"}


def test_5xx_answers_are_broken_with_the_failures_and_the_calls_that_showed_them() -> None:
    report = preflight(InProcessTarget(everything(aws_error("500 Internal Server Error", "InternalErrorException",
                                                            "boom"))))
    assert report.verdict is Verdict.BROKEN
    assert report.reason == ("the preflight could not complete (ListRecords of a new dataset answered "
                             "HTTP 500 InternalErrorException: boom instead of a SyncSessionToken)")
    assert {f.property_id for f in report.failures} == {"WIRE-4"}
    assert [s.call.operation for s in report.failures[-1].steps] == ["ListDatasets", "ListRecords"]


def test_only_the_selected_properties_failures_are_kept() -> None:
    app = everything(aws_error("500 Internal Server Error", "InternalErrorException", "boom"))
    report = preflight(InProcessTarget(app), selected=frozenset({"SYNC-1"}))
    assert report.verdict is Verdict.BROKEN and report.failures == ()


def test_an_empty_object_for_everything_is_broken_tok_1() -> None:
    report = preflight(InProcessTarget(everything(answer("200 OK", b"{}", {"Content-Type": "application/json"}))))
    assert report.verdict is Verdict.BROKEN
    assert report.reason == ("the preflight could not complete (ListRecords of a new dataset answered {} "
                             "without a SyncSessionToken)")
    assert "TOK-1" in {f.property_id for f in report.failures}


def test_a_refused_write_on_a_fresh_dataset_is_broken() -> None:
    app = except_on("POST", aws_error("400 Bad Request", "InvalidParameterException", "token invalid"))
    report = preflight(InProcessTarget(app))
    assert report.verdict is Verdict.BROKEN
    assert "UpdateRecords of a new dataset, with the token ListRecords gave, answered HTTP 400 " \
           "InvalidParameterException: token invalid" in report.reason
    assert report.failures and report.failures[0].steps[-1].call.operation == "UpdateRecords"


def test_a_completed_exchange_is_usable_and_keeps_the_failures_it_showed() -> None:
    inner = emulator()

    def count_twice(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        captured: dict[str, Any] = {}
        body = b"".join(inner(environ, lambda s, h, e=None: captured.update(status=s, headers=h)))
        if environ["REQUEST_METHOD"] == "POST" and captured["status"].startswith("200"):
            data = json.loads(body)
            for record in data.get("Records", []):
                record["SyncCount"] = 2
            body = json.dumps(data).encode()
        start_response(captured["status"], [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"])
        return [body]

    report = preflight(InProcessTarget(count_twice))
    assert report.verdict is Verdict.USABLE, report.reason
    assert "SYNC-2" in {f.property_id for f in report.failures}


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A socket that completes TCP handshakes (the backlog) but never reads or answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield sock.getsockname()[1]


def test_no_answer_in_time_is_inconclusive(silent_port: int) -> None:
    with HttpTarget(f"http://127.0.0.1:{silent_port}", timeout=0.3) as target:
        report = preflight(target)
    assert report.verdict is Verdict.INCONCLUSIVE
    assert report.reason.startswith("the preflight got no answer in time: ListDatasets to http://127.0.0.1:")


def test_nothing_listening_is_unusable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with HttpTarget(f"http://127.0.0.1:{port}", timeout=2) as target:
        report = preflight(target)
    assert report.verdict is Verdict.UNUSABLE
    assert report.reason.startswith(f"cannot reach http://127.0.0.1:{port}: connection error")


class Throttles:
    def __init__(self, times: int):
        self.left = times
        self.inner = emulator()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        self.left -= 1
        if self.left >= 0:
            return aws_error("429 Too Many Requests", "TooManyRequestsException", "Rate exceeded")(start_response)
        return self.inner(environ, start_response)


def test_throttling_is_backed_off_and_only_a_target_that_keeps_throttling_is_inconclusive() -> None:
    slept: list[float] = []

    def through_backoff(app: App) -> Backoff:
        return Backoff(InProcessTarget(app), seed=1, policy=BackoffPolicy(attempts=4), sleep=slept.append)

    report = preflight(through_backoff(Throttles(3)))
    assert report.verdict is Verdict.USABLE, report.reason
    assert len(slept) == 3
    report = preflight(through_backoff(Throttles(10**6)))
    assert report.verdict is Verdict.INCONCLUSIVE
    assert "kept throttling: ListDatasets was answered TooManyRequestsException 4 times" in report.reason
    # Without the backoff, one 429 is enough to say so.
    report = preflight(InProcessTarget(Throttles(1)))
    assert report.verdict is Verdict.INCONCLUSIVE
    assert report.reason.startswith("the preflight was throttled: ListDatasets answered HTTP 429")


def test_on_a_named_identity_the_dataset_is_run_prefixed_remembered_and_list_datasets_unjudged() -> None:
    pool, identity = "us-east-1:0e0e0e0e-0000-4000-8000-000000000001", "us-east-1:0e0e0e0e-0000-4000-8000-0000000000ab"
    target = InProcessTarget(emulator())
    own = {"IdentityPoolId": pool, "IdentityId": identity, "DatasetName": "users-own-data"}
    token = target.send(Call("ListRecords", own)).outcome.body["SyncSessionToken"]  # type: ignore[union-attr]
    target.send(Call("UpdateRecords", {**own, "SyncSessionToken": token,
                                       "RecordPatches": [{"Op": "replace", "Key": "k", "Value": "v", "SyncCount": 0}]}))
    config = RunConfig(identity_pool_id=pool, identity_id=identity)
    scope = Scope(config)
    report = run_preflight(target, model=Model(), scope=scope)
    assert report.verdict is Verdict.USABLE, report.reason
    assert report.failures == ()
    assert [s.call.operation for s in report.steps] == ["ListRecords", "UpdateRecords", "DeleteDataset"]
    dataset = report.steps[0].call.params["DatasetName"]
    assert dataset.startswith(config.run_prefix)
    assert scope.created == {(pool, identity, dataset)}
    left = target.send(Call("ListDatasets", {"IdentityPoolId": pool, "IdentityId": identity})).outcome
    assert isinstance(left, Ok) and [d["DatasetName"] for d in left.body["Datasets"]] == ["users-own-data"]
