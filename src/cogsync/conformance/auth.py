"""ISO-2: a bad signature, or another identity's credentials, gets 403 and changes nothing.

The contract asks this only of servers that check signatures (ISO-2 is conditional).
The probe first sends a write signed with a wrong secret: a server that accepts it
does not check signatures, and ISO-2 is not applicable (or, with
``--require-signatures``, fails). A server that refuses it is then checked for the
rest: the refusal is a 403, and a listing made with the right credentials shows the
write did not land (the model judges it); only then is ISO-2 witnessed.
Identity-bound credentials can be tested only when cogsync knows one (the embedded
emulator is started with such a key).
"""

from __future__ import annotations

from dataclasses import dataclass

from cogsync.conformance.probes import Driver, replace
from cogsync.conformance.scope import Scope
from cogsync.conformance.session import Session
from cogsync.contracts.calls import Call, Err, Ok, Unknown
from cogsync.contracts.failures import Failure
from cogsync.strategies import Identity
from cogsync.targets.base import Response, Target

#: The embedded emulator's keys: the run signs with the first; the second may act
#: only for BOUND_IDENTITY.
RUN_KEY = ("cogsync-run", "cogsync-run-secret")
BOUND_KEY = ("cogsync-bound", "cogsync-bound-secret")
BOUND_IDENTITY = Identity("us-east-1:0c0c0c0c-0000-4000-8000-000000000001",
                          "us-east-1:0c0c0c0c-0000-4000-8000-00000000b0b0")


@dataclass(frozen=True)
class AuthVerdict:
    """``signatures_checked``: True, False (a bad signature was accepted), or None when
    the probe could not tell (no answer, or the target refused a correctly signed write).
    ``excluded``: the transport cannot sign with other credentials, so the run's mode
    leaves ISO-2 out."""

    signatures_checked: bool | None
    note: str
    excluded: bool = False


def sibling(target: Target, access_key: str, secret: str) -> Target | None:
    """The same endpoint signed with other credentials; None when the transport cannot
    (a target written by hand may lack ``with_credentials``: it cannot, then)."""
    with_credentials = getattr(target, "with_credentials", None)
    return with_credentials(access_key, secret) if with_credentials is not None else None


def _write_as(other: Target, session: Session, driver: Driver, dataset: str, token: str | None,
              value: str, count: int) -> Response:
    """Send one write through ``other`` (other credentials); the main session judges it."""
    call = Call("UpdateRecords", {**driver.ids(), "DatasetName": dataset, "SyncSessionToken": token or "",
                                  "RecordPatches": [replace("k", value, count)]})
    response = other.send(call)
    session.observe(response)
    return response


def _refused_and_unchanged(session: Session, driver: Driver, dataset: str, response: Response,
                           title: str) -> None:
    """The model cannot know the credentials were bad: ISO-2's 403 is checked here, and a
    listing with the run's own credentials (judged by the model) shows nothing changed."""
    if response.status != 403:
        shown = response.outcome.error_type if isinstance(response.outcome, Err) else "200 OK"
        session.fail(Failure("ISO-2", title, "403 and nothing changed", f"{response.status} {shown}",
                             tuple(session.steps)))
        return
    breaches = len(session.failures) + len(session.tally.failures)
    listing = driver.listing(dataset)
    unchanged = len(session.failures) + len(session.tally.failures) == breaches
    if isinstance(listing.outcome, Ok) and unchanged:
        session.tally.witnessed("ISO-2")


def _landed(driver: Driver, dataset: str, key: str, value: str) -> bool:
    """Did a write of ``key`` = ``value`` land, though its retry was refused (the first
    attempt's answer was lost, and it had applied)? A listing says."""
    outcome = driver.listing(dataset).outcome
    records = outcome.body.get("Records") if isinstance(outcome, Ok) else None
    return any(isinstance(r, dict) and r.get("Key") == key and r.get("Value") == value
               for r in records or [])


def probe_signatures(target: Target, session: Session, scope: Scope, *, retries: int = 0) -> AuthVerdict:
    """Run the ISO-2 probe; the session judges every answer (``retries``: see :class:`Driver`).
    The identity-bound check runs where the target declares ``knows_bound_key``.

    A listing or control write whose answer was lost (``--faults``) leaves ISO-2
    undecided: a write sent without a live token is refused for the token, which
    says nothing of signatures.
    """
    run_key = getattr(getattr(target, "credentials", None), "access_key", None) or RUN_KEY[0]
    forged = sibling(target, run_key, "not-the-secret")
    if forged is None:
        return AuthVerdict(None, "this transport cannot sign with other credentials", excluded=True)
    driver = Driver(session, scope, retries=retries)
    dataset = scope.dataset("auth")
    control = driver.put(dataset, [replace("k", "v", 0)]).outcome
    if isinstance(control, Unknown):
        return AuthVerdict(None, f"the answer to a correctly signed write was lost ({control.reason})")
    if not isinstance(control, Ok) and not (driver.retries and _landed(driver, dataset, "k", "v")):
        return AuthVerdict(None, "the target refused a correctly signed write, so refusing a bad "
                                 "signature would show nothing")
    token = driver.token(dataset)
    if token is None:
        return AuthVerdict(None, "no listing answered with a session token for the forged write")
    response = _write_as(forged, session, driver, dataset, token, "forged", 1)
    if isinstance(response.outcome, Ok):
        return AuthVerdict(False, "the target accepted a request with a bad signature, so it does not "
                                  "check signatures; ISO-2 applies only to servers that do")
    if response.status is None:
        return AuthVerdict(None, f"no answer to the request with a bad signature ({response.outcome})")
    _refused_and_unchanged(session, driver, dataset, response,
                           "a request with a bad signature was not refused with 403")
    if getattr(target, "knows_bound_key", False):
        bound = sibling(target, *BOUND_KEY)
        assert bound is not None
        token = driver.token(dataset)
        if token is None:
            return AuthVerdict(None, "no listing answered with a session token for the foreign write")
        response = _write_as(bound, session, driver, dataset, token, "not-mine", 1)
        _refused_and_unchanged(session, driver, dataset, response,
                               "credentials bound to another identity were accepted")
    return AuthVerdict(True, "signatures are checked")
