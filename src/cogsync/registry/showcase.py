"""A sequence that shows a property: short boto3 code a person can paste and run.

A showcase's ``code`` is the body of a Python program that calls the service only
through ``call(operation, **params)`` (a boto3 method name and its parameters) and
the helpers of :data:`HELPERS` (``write``, ``token``, ``replace``, ``remove``,
``ME``). Pasted after :data:`PREAMBLE` it runs with boto3 on cogsync's embedded
emulator (or any endpoint) and prints each answer. :func:`run` runs the same code
with ``call`` sending each request to a target and the model judging every
answer, so a test can show that the sequence keeps the contract on the reference
emulator and breaks it on the property's mutant.

Properties a sequence cannot show (a race, a signature, a restart) have ``see``
instead: the command that shows them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cogsync.conformance.session import Session
from cogsync.contracts.calls import METHOD_NAMES, Call, Ok
from cogsync.contracts.model import Model
from cogsync.errors import UsageError
from cogsync.targets.base import Target

#: Imports, a boto3 client (the embedded emulator unless you say otherwise) and ``call``.
PREAMBLE = '''\
import json

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from cogsync import mock_cognito_sync

emulator = mock_cognito_sync().start()  # cogsync's emulator in this process: drop it for your server
client = boto3.client("cognito-sync", region_name="us-east-1",  # and say endpoint_url="http://..."
                      aws_access_key_id="testing", aws_secret_access_key="testing",
                      config=Config(parameter_validation=False, retries={"total_max_attempts": 1}))


def call(operation, **params):
    """One boto3 call: print the answer and return it ({} for an error)."""
    try:
        answer = getattr(client, operation)(**params)
    except ClientError as exc:
        status, error = exc.response["ResponseMetadata"]["HTTPStatusCode"], exc.response["Error"]
        print(f"{operation}: {status} {error['Code']}: {error['Message']}")
        return {}
    answer.pop("ResponseMetadata", None)
    print(f"{operation}: 200 {json.dumps(answer, default=str, ensure_ascii=False)[:300]}")
    return answer
'''

#: The identity the sequences act for, and short names for what every sequence does.
HELPERS = '''\
ME = {"IdentityPoolId": "us-east-1:00000000-0000-4000-8000-0000000000a1",
      "IdentityId": "us-east-1:00000000-0000-4000-8000-0000000000b1"}


def replace(key, value, count, **more):
    return {"Op": "replace", "Key": key, "Value": value, "SyncCount": count, **more}


def remove(key, count):
    return {"Op": "remove", "Key": key, "SyncCount": count}


def token(dataset, who=ME):
    """A fresh SyncSessionToken: a listing hands it out."""
    return call("list_records", **who, DatasetName=dataset).get("SyncSessionToken")


def write(dataset, patches, who=ME, **more):
    """UpdateRecords with a fresh token."""
    return call("update_records", **who, DatasetName=dataset, SyncSessionToken=token(dataset, who),
                RecordPatches=patches, **more)
'''

_OPERATIONS = {method: operation for operation, method in METHOD_NAMES.items()}


@dataclass(frozen=True)
class Showcase:
    """What shows ``property_id``: ``code`` (run after the preamble) or, for what no short
    sequence shows, ``see``: the commands that do. ``mutant``: the mutant of the catalog
    the code is tested against (it breaks the property there)."""

    property_id: str
    code: str = ""
    mutant: str = ""
    see: str = ""

    def program(self) -> str:
        """The whole program to paste: preamble, helpers, this sequence."""
        if not self.code:
            raise UsageError(f"no sequence shows {self.property_id}: `cogsync explain {self.property_id}` "
                             "says which command does")
        return f"{PREAMBLE}\n\n{HELPERS}\n\n{self.code}"


def run(showcase: Showcase, target: Target, *, model: Model | None = None) -> Session:
    """Run ``showcase``'s code against ``target``, every answer judged by the model.

    The session holds the transcript (``steps``), the failures and what was witnessed
    and found (``tally``).
    """
    session = Session(target, model or Model())

    def call(operation: str, **params: Any) -> dict[str, Any]:
        if operation not in _OPERATIONS:
            raise UsageError.bad_argument("operation", operation, "one of " + ", ".join(_OPERATIONS))
        outcome = session.send(Call(_OPERATIONS[operation], params)).outcome
        return dict(outcome.body) if isinstance(outcome, Ok) else {}

    namespace: dict[str, Any] = {"call": call, "__name__": f"showcase_{showcase.property_id}"}
    exec(compile(HELPERS, "<cogsync showcase helpers>", "exec"), namespace)  # our own code, nothing a server sent
    exec(compile(showcase.code, f"<showcase {showcase.property_id}>", "exec"), namespace)
    return session
