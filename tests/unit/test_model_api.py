"""The model's public API: arguments, unknown answers, following the server, beliefs."""

from __future__ import annotations

import time

import pytest

from cogsync.contracts.calls import Call, Err, Ok, Unknown
from cogsync.contracts.failures import Failure, SentCall
from cogsync.contracts.model import Belief, Judgement, Model
from cogsync.errors import ContractViolation, UsageError
from tests.support import model_support as S

# --- arguments --------------------------------------------------------------------------


@pytest.mark.parametrize("kwargs, name", [
    ({"clock_skew": -1}, "clock_skew"),
    ({"clock_skew": "5"}, "clock_skew"),
    ({"limits": {"max_records_per_dataset": 3}}, "limits"),
    ({"check_schemas": "yes"}, "check_schemas"),
])
def test_bad_model_arguments_name_the_argument(kwargs, name):
    with pytest.raises(UsageError, match=name):
        Model(**kwargs)


def test_bad_judge_arguments_name_the_argument():
    model = Model()
    belief = model.initial()
    with pytest.raises(UsageError, match="belief"):
        model.judge("state", S.list_call("d"), Ok({}))
    with pytest.raises(UsageError, match="call"):
        model.judge(belief, Call("PutRecord", {}), Ok({}))
    with pytest.raises(UsageError, match="outcome"):
        model.judge(belief, S.list_call("d"), {"Records": []})
    with pytest.raises(UsageError, match="started_at"):
        model.judge(belief, S.list_call("d"), Ok({}), started_at="now")
    with pytest.raises(UsageError, match="pages"):
        model.judge_pages(belief, S.list_call("d"), [])
    with pytest.raises(UsageError, match="call"):
        model.judge_pages(belief, S.describe_call("d"), [Ok({})])
    with pytest.raises(UsageError, match=r"pages\[0\]"):
        model.judge_pages(belief, S.list_call("d"), [Ok({"Records": []}), Ok({"Records": []})])


# --- judgements -------------------------------------------------------------------------


def test_a_judgement_is_ok_without_violations_and_violations_become_exceptions():
    h = S.Harness()
    call = S.describe_call("nope")
    good = h.judge(call, Err("ResourceNotFoundException", 404, "no"))
    assert isinstance(good, Judgement) and good.ok and good.violations == ()
    bad = h.judge(call, Ok({}))
    assert not bad.ok
    violation = bad.violations[0]
    assert isinstance(violation, Failure) and violation.property_id == "DS-2" and violation.steps == ()
    error = violation.to_exception()
    assert isinstance(error, ContractViolation) and error.property_id == "DS-2"
    assert "DS-2" in str(error) and "404" in str(error)


def test_a_failure_seen_after_calls_carries_them_and_stays_the_same_breach():
    h = S.Harness()
    call = S.describe_call("nope")
    [violation] = h.judge(call, Ok({})).violations
    sent = (SentCall(call, Ok({})),)
    seen = violation.after(sent)
    assert seen.steps == sent and violation.steps == ()
    assert seen.dedupe_key == violation.dedupe_key == ("DS-2", violation.title)
    assert (seen.expected, seen.received) == (violation.expected, violation.received)


def test_witnessed_names_what_an_answer_put_to_the_test():
    h = S.Harness()
    h.write("d", [S.rep("k", "v", 0)])
    h.write("d", [S.rep("k", "w", 1)])
    call = S.write_call("d", h.token("d"), [S.rep("j", "x", 0)])
    success = h.judge(call, h.server.send(call))
    assert {"SYNC-1", "SYNC-2", "SYNC-4", "SYNC-5", "SYNC-7", "VAL-2", "WIRE-1"} <= success.witnessed
    assert not {"CONF-1", "CONF-4", "CONF-6", "TOK-2", "TOK-4", "ISO-2"} & success.witnessed


def test_a_refusal_witnesses_its_property_and_atomicity_waits_for_a_read():
    h = S.Harness()
    h.write("d", [S.rep("k", "v", 0)])
    h.write("d", [S.rep("k", "w", 1)])
    stale = S.write_call("d", h.token("d"), [S.rep("k", "x", 1), S.rep("fresh", "y", 0)])
    refused = h.judge(stale, h.server.send(stale), commit=True)
    assert refused.ok and {"CONF-1", "CONF-5"} <= refused.witnessed
    assert "CONF-4" not in refused.witnessed  # not until a read shows "fresh" did not land
    listed = h.judge(S.list_call("d"), h.server.send(S.list_call("d")))
    assert listed.ok and "CONF-4" in listed.witnessed


def test_a_refusal_by_a_server_never_seen_to_accept_a_write_witnesses_nothing():
    """A server answering 400 to everything keeps TOK-2 and VAL-1 only vacuously."""
    h = S.Harness()
    made_up = S.write_call("d", "made-up-token", [S.rep("k", "v", 0)])
    refused = h.judge(made_up, Err("InvalidParameterException", 400, "no"), commit=True)
    assert refused.ok and refused.witnessed <= {"WIRE-2", "WIRE-3", "WIRE-4"}
    bad_name = S.write_call("bad/name", "made-up-token", [S.rep("k", "v", 0)])
    refused = h.judge(bad_name, Err("InvalidParameterException", 400, "no"))
    assert "VAL-1" not in refused.witnessed
    h.write("d", [S.rep("k", "v", 0)])  # now the server has accepted a write
    refused = h.judge(bad_name, Err("InvalidParameterException", 400, "no"))
    assert "VAL-1" in refused.witnessed


def test_several_applicable_errors_any_one_is_allowed():
    h = S.Harness()
    h.write("d", [S.rep("k", "v", 0)])
    h.write("d", [S.rep("k", "w", 1)])
    token = h.token("d")
    h.do(S.write_call("d", token, [S.rep("j", "x", 0)]))  # the token is now spent
    both = S.write_call("d", token, [S.rep("k", "y", 1)])  # spent token and stale count
    assert h.judge(both, Err("InvalidParameterException", 400, "token")).ok
    assert h.judge(both, Err("ResourceConflictException", 409,
                             "Current SyncCount for: k is: 2 not: 1")).ok
    wrong = h.judge(both, Err("LimitExceededException", 400, "?"))
    assert S.ids(wrong) == {"TOK-4"}
    accepted = h.judge(both, Ok({"Records": [
        {"Key": "k", "Value": "y", "SyncCount": 4, "LastModifiedDate": h.server.clock}]}))
    assert S.ids(accepted) == {"TOK-4", "CONF-1"}


# --- unknown answers --------------------------------------------------------------------


def test_an_unknown_write_may_or_may_not_have_happened():
    for applied in (True, False):
        h = S.Harness()
        h.write("d", [S.rep("k", "v", 0)])
        call = S.write_call("d", h.token("d"), [S.rep("k", "w", 1)])
        if applied:
            h.server.send(call)
        lost = h.judge(call, Unknown("timeout"), commit=True)
        assert lost.ok and len(lost.belief) == 2
        h.listing("d")  # the reference server's listing, either way, is accepted
        assert len(h.belief) == 1


def test_timestamps_of_an_unknown_write_are_learned_from_the_first_listing():
    h = S.Harness()
    call = S.write_call("d", h.token("d"), [S.rep("k", "v", 0)])
    h.server.send(call)
    h.judge(call, Unknown("reset"), commit=True)
    listed = h.server.send(S.list_call("d"))
    h.judge(S.list_call("d"), listed, commit=True)
    later = S.mutate_record(h.server.send(S.list_call("d")), LastModifiedDate=1.0)
    assert S.ids(h.judge(S.list_call("d"), later)) == {"LIST-6"}


def test_throttles_and_internal_errors_on_valid_calls_are_unknown_not_violations():
    h = S.Harness()
    call = S.write_call("d", h.token("d"), [S.rep("k", "v", 0)])
    for outcome in (Err("TooManyRequestsException", 429, "slow"),
                    Err("InternalErrorException", 500, "oops"), Unknown("502", 502)):
        judged = h.judge(call, outcome)
        assert judged.ok and len(judged.belief) == 2


def test_an_unknown_delete_keeps_both_worlds():
    h = S.Harness()
    h.write("d", [S.rep("k", "v", 0)])
    judged = h.judge(S.delete_call("d"), Unknown("timeout"), commit=True)
    assert judged.ok and len(judged.belief) == 2
    assert h.judge(S.describe_call("d"), Err("ResourceNotFoundException", 404, "gone")).ok
    assert h.judge(S.describe_call("d"), h.server.send(S.describe_call("d"))).ok


# --- following the server ---------------------------------------------------------------


def test_after_a_violation_the_belief_follows_the_server():
    h = S.Harness()
    h.write("d", [S.rep("k", "v", 0)])
    listed = S.mutate(h.server.send(S.list_call("d")), DatasetSyncCount=7)
    first = h.judge(S.list_call("d"), listed, commit=True)
    assert S.ids(first) == {"SYNC-1"}
    again = h.judge(S.list_call("d"), S.mutate(listed, SyncSessionToken="another"))
    assert again.ok


def test_an_accepted_stale_write_is_applied_as_the_server_answered():
    h = S.Harness()
    h.write("d", [S.rep("k", "v", 0)])
    call = S.write_call("d", h.token("d"), [S.rep("k", "x", 0)])
    stamp = h.server.clock
    answer = Ok({"Records": [{"Key": "k", "Value": "x", "SyncCount": 2, "LastModifiedDate": stamp}]})
    assert S.ids(h.judge(call, answer, commit=True)) == {"CONF-2"}
    listing = Ok({"Records": [{"Key": "k", "Value": "x", "SyncCount": 2, "LastModifiedDate": stamp}],
                  "Count": 1, "DatasetSyncCount": 2, "DatasetExists": True,
                  "SyncSessionToken": "t"})
    assert h.judge(S.list_call("d"), listing).ok


# --- beliefs ----------------------------------------------------------------------------


def _replay() -> Belief:
    h = S.Harness()
    h.write("d", [S.rep("k", "v", 0), S.rep("j", "w", 0)])
    h.write("e", [S.rep("k", "v", 0)], identity=S.OTHER)
    h.write("d", [S.rem("k", 1)])
    h.write("d", [])
    h.do(S.delete_call("e", identity=S.OTHER))
    return h.belief


def test_beliefs_are_hashable_values():
    a, b = _replay(), _replay()
    assert a == b and hash(a) == hash(b)
    assert len({a, b}) == 1
    assert a != Model().initial()
    assert "world" in repr(a)


def test_unresolved_may_choices_split_a_world_at_most_once():
    h = S.Harness()
    h.write("d", [S.rep("k", "v", 0)])
    tokens = [h.token("d") for _ in range(10)]
    for token in tokens:  # no listing in between: nothing shows whether they bumped
        h.do(S.write_call("d", token, []))
    assert len(h.belief) == 2  # "empty writes bump" or "they do not", not 2**10
    h.listing("d")
    assert len(h.belief) == 1


def test_old_tokens_are_forgotten_and_then_judged_leniently():
    h = S.Harness()
    first = h.token("d")
    for _ in range(300):
        h.token("d")
    call = S.write_call("d", first, [S.rep("k", "v", 0)])
    stamp = h.server.clock
    assert h.judge(call, Ok({"Records": [
        {"Key": "k", "Value": "v", "SyncCount": 1, "LastModifiedDate": stamp}]})).ok
    assert h.judge(call, Err("InvalidParameterException", 400, "expired")).ok


def test_ds4_either_answer_when_the_count_restarted_and_k_fits_both():
    h = S.Harness()
    h.write("d", [S.rep("a", "1", 0)])
    h.write("d", [S.rep("b", "2", 0)])
    h.do(S.delete_call("d"))
    h.write("d", [S.rep("x", "1", 0)])
    h.write("d", [S.rep("y", "2", 0)])  # re-created and back at 2; k=1 fits both lives
    call = S.list_call("d", 1)
    normal = h.server.send(call)
    assert [r["Key"] for r in normal.body["Records"]] == ["y"]
    assert h.judge(call, normal).ok
    everything = h.server.send(S.list_call("d", 0))
    flagged = S.mutate(everything, DatasetDeletedAfterRequestedSyncCount=True)
    assert h.judge(call, flagged).ok


def test_check_schemas_false_skips_the_wire_checks():
    h = S.Harness(model=Model(check_schemas=False))
    call = S.list_call("d")
    listed = S.mutate(h.server.send(call), MergedDatasetNames="not-a-list")
    assert h.judge(call, listed).ok
    assert h.judge(call, Err("LambdaThrottledException", 429, "x")).ok


def test_expectations_describe_the_allowed_answers():
    h = S.Harness()
    h.write("d", [S.rep("k", "v", 0)])
    h.write("d", [S.rep("k", "w", 1)])
    token = h.token("d")
    stale = h.model.expectations(h.belief, S.write_call("d", token, [S.rep("k", "x", 1)]))
    assert any("ResourceConflictException [CONF-1]" in line for line in stale)
    fine = h.model.expectations(h.belief, S.write_call("d", token, [S.rep("k", "x", 2)]))
    assert any(line.startswith("200 with Records 'k'@3") for line in fine)
    invalid = h.model.expectations(h.belief, S.describe_call("bad/name"))
    assert invalid == ["refuse with 400 InvalidParameterException [VAL-1]: DatasetName: pattern"]
    missing = h.model.expectations(h.belief, S.describe_call("nope"))
    assert "[DS-2]" in missing[0]


def test_judging_is_fast_enough_for_long_histories():
    h = S.Harness(model=Model(check_schemas=False))
    counts: dict[str, int] = {}
    begin = time.perf_counter()
    for i in range(500):  # each write lists first: 1000 judged calls
        key = f"k{i % 50}"
        out = h.write("d", [S.rep(key, str(i), counts.get(key, 0))])
        counts[key] = out.body["Records"][0]["SyncCount"]
    elapsed = time.perf_counter() - begin
    assert len(h.belief) == 1 and counts["k0"] == 451
    assert elapsed < 10.0, f"1000 judged calls took {elapsed:.1f}s"


def test_an_unknown_empty_write_may_have_created_the_dataset():
    for creates in (True, False):
        h = S.Harness(S.Choices(empty_creates=creates))
        call = S.write_call("d", h.token("d"), [])
        h.server.send(call)
        assert h.judge(call, Unknown("timeout"), commit=True).ok
        assert h.listing("d")["DatasetExists"] is creates


def test_duplicate_removals_of_a_new_key_may_leave_no_tombstone():
    h = S.Harness(S.Choices(refuse_duplicates=False, ghost_tombstones=False))
    h.write("d", [S.rep("a", "1", 0)])
    h.write("d", [S.rem("b", 0), S.rem("b", 0)])
    assert [r["Key"] for r in h.listing("d")["Records"]] == ["a"]


def test_a_pagination_cut_short_is_judged_page_by_page():
    h = S.Harness(S.Choices(page_size=1))
    h.write("d", [S.rep("a", "1", 0), S.rep("b", "2", 0)])
    call = S.list_call("d")
    first = h.server.send(call)
    for last in (Unknown("timeout"), Err("NotAuthorizedException", 403, "expired credentials")):
        judged = h.model.judge_pages(h.belief, call, [first, last])
        # a pagination cut short shows no whole listing: LIST-4 is not put to the test
        assert judged.ok and "LIST-4" not in judged.witnessed
    # nextTokens do not expire within a run: refusing one the server issued is VAL-2
    refused = h.model.judge_pages(h.belief, call, [first, Err("InvalidParameterException", 400, "")])
    assert S.ids(refused) == {"VAL-2"}
    wrong = h.model.judge_pages(h.belief, call, [first, Err("ResourceNotFoundException", 404, "")])
    assert S.ids(wrong) == {"WIRE-3", "LIST-1"}


def test_a_lost_answer_witnesses_nothing():
    h = S.Harness()
    call = S.write_call("d", h.token("d"), [S.rep("k", "v", 0)])
    assert h.judge(call, Unknown("timeout")).witnessed == frozenset()
    invalid = S.write_call("d", h.token("d"), [S.rep("k", "v", -1)])
    assert h.judge(invalid, Unknown("throttled: HTTP 429")).witnessed == frozenset()


def test_odd_listing_parameters_may_be_refused_or_served():
    h = S.Harness()
    h.write("d", [S.rep("k", "v", 0)])
    for call, pid in ((S.list_call("d", -1), "VAL-4"), (S.list_call("d", MaxResults=0), "LIST-7")):
        refused = h.judge(call, Err("InvalidParameterException", 400, "no"))
        assert refused.ok and pid in S.finding_ids(refused)
        served = h.judge(call, h.server.send(S.list_call("d")))
        assert served.ok and pid in S.finding_ids(served)
