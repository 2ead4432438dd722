"""The fault SPEC: parsing, its canonical text, and the schedule it makes."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cogsync.errors import UsageError
from cogsync.faults import FaultKind, FaultSpec, InjectedFault


def test_none_injects_nothing() -> None:
    spec = FaultSpec.parse("none")
    assert spec == FaultSpec() and not spec.injects_anything and str(spec) == "none"
    schedule = spec.schedule()
    assert [schedule.next() for _ in range(100)] == [None] * 100 and schedule.log == []


def test_default_is_the_documented_rates() -> None:
    spec = FaultSpec.parse("default")
    assert spec.rates == {FaultKind.DROP_REQUEST: 0.03, FaultKind.DROP_ANSWER: 0.03, FaultKind.DUPLICATE: 0.05,
                          FaultKind.RESET: 0.03, FaultKind.DELAY: 0.05}
    assert spec.seed == 0 and spec.delay_seconds == 0.2 and spec.at == {}
    assert FaultSpec.parse(str(spec)) == spec == FaultSpec.default()


def test_items_parse_into_rates_fixed_requests_seed_and_delay() -> None:
    spec = FaultSpec.parse(" drop-answer@3, duplicate=0.5 ,reset@1,seed=7,delay-seconds=0.05,drop-answer@9")
    assert spec.rates == {FaultKind.DUPLICATE: 0.5}
    assert spec.at == {1: (FaultKind.RESET,), 3: (FaultKind.DROP_ANSWER,), 9: (FaultKind.DROP_ANSWER,)}
    assert spec.seed == 7 and spec.delay_seconds == 0.05
    assert str(spec) == "duplicate=0.5,reset@1,drop-answer@3,drop-answer@9,seed=7,delay-seconds=0.05"


def test_zero_rates_and_repeated_items_normalise() -> None:
    assert FaultSpec.parse("drop-request=0") == FaultSpec.none()
    assert FaultSpec.parse("delay@2,delay@2") == FaultSpec.parse("delay@2")
    assert str(FaultSpec.parse("reset=1")) == "reset=1"


def test_at_n_hits_exactly_the_nth_request_and_is_logged() -> None:
    schedule = FaultSpec.parse("drop-answer@2,duplicate@4").schedule()
    kinds = [schedule.next(f"call {i}") for i in range(1, 6)]
    assert kinds == [None, FaultKind.DROP_ANSWER, None, FaultKind.DUPLICATE, None]
    assert schedule.log == [InjectedFault(2, FaultKind.DROP_ANSWER, "call 2"),
                            InjectedFault(4, FaultKind.DUPLICATE, "call 4")]
    assert schedule.requests == 5


def test_rates_are_honoured_and_seeded() -> None:
    spec = FaultSpec.parse("drop-request=0.2,delay=0.1,seed=3")
    first = spec.schedule()
    kinds = [first.next() for _ in range(5000)]
    assert 0.17 < kinds.count(FaultKind.DROP_REQUEST) / 5000 < 0.23
    assert 0.08 < kinds.count(FaultKind.DELAY) / 5000 < 0.12
    assert set(kinds) == {None, FaultKind.DROP_REQUEST, FaultKind.DELAY}
    again = spec.schedule()
    assert [again.next() for _ in range(5000)] == kinds  # same seed, same faults
    other = FaultSpec.parse("drop-request=0.2,delay=0.1,seed=4").schedule()
    assert [other.next() for _ in range(5000)] != kinds


def test_rate_one_faults_every_request() -> None:
    schedule = FaultSpec.parse("reset=1").schedule()
    assert {schedule.next() for _ in range(50)} == {FaultKind.RESET}


def test_fixed_faults_do_not_move_the_random_ones() -> None:
    plain = FaultSpec.parse("duplicate=0.3,seed=1").schedule()
    pinned = FaultSpec.parse("duplicate=0.3,seed=1,reset@5").schedule()
    a, b = [plain.next() for _ in range(40)], [pinned.next() for _ in range(40)]
    assert b[4] is FaultKind.RESET and a[:4] + a[5:] == b[:4] + b[5:]


def test_an_explicit_rng_replaces_the_seed() -> None:
    spec = FaultSpec.parse("drop-answer=0.5")
    x, y = spec.schedule(random.Random(99)), spec.schedule(random.Random(99))
    assert [x.next() for _ in range(30)] == [y.next() for _ in range(30)]


@pytest.mark.parametrize("text", [
    "", "  ", "sometimes", "drop=0.1", "drop-request", "drop-request=", "drop-request=x", "drop-request=1.5",
    "drop-request=-0.1", "drop-request=nan", "delay=inf", "reset@0", "reset@-1", "reset@x", "reset@1.5",
    "seed=x", "seed=1.5", "delay-seconds=-1", "delay-seconds=abc", "drop-request=0.1,drop-request=0.2",
    "seed=1,seed=2", "delay-seconds=1,delay-seconds=2", "reset@3,delay@3", "default,seed=3", "none,reset@1",
    "drop-request=0.6,drop-answer=0.6", "Reset=0.1", "reset=0.1,", "reset=0.1;delay=0.1",
])
def test_bad_text_is_a_usage_error_naming_the_argument(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        FaultSpec.parse(text)
    message = str(caught.value)
    assert message.startswith(f"--faults={text!r} is not allowed:") and "\n" not in message
    assert "KIND=RATE" in message  # says how to write it


def test_bad_direct_construction_is_a_usage_error() -> None:
    with pytest.raises(UsageError):
        FaultSpec(rates={FaultKind.RESET: 2.0})
    with pytest.raises(UsageError):
        FaultSpec(at={0: (FaultKind.RESET,)})
    with pytest.raises(UsageError):
        FaultSpec(at={1: (FaultKind.RESET, FaultKind.DELAY)})
    with pytest.raises(UsageError):
        FaultSpec(delay_seconds=-0.5)


def test_specs_are_hashable_values() -> None:
    assert len({FaultSpec.parse("reset@2,seed=1"), FaultSpec.parse("seed=1, reset@2")}) == 1


kinds = st.sampled_from(list(FaultKind))


@st.composite
def fault_specs(draw: st.DrawFn) -> FaultSpec:
    chosen = draw(st.lists(kinds, unique=True))
    budget = 1.0
    rates = {}
    for kind in chosen:
        rate = draw(st.floats(0.0, budget))
        rates[kind] = rate
        budget -= rate
    at = draw(st.dictionaries(st.integers(1, 10**6), kinds.map(lambda kind: (kind,)), max_size=5))
    return FaultSpec(rates=rates, at=at, seed=draw(st.integers(-(2**40), 2**40)),
                     delay_seconds=draw(st.floats(0.0, 60.0)))


@given(fault_specs())
def test_parse_reads_back_the_canonical_text(spec: FaultSpec) -> None:
    text = str(spec)
    assert FaultSpec.parse(text) == spec
    assert str(FaultSpec.parse(text)) == text
