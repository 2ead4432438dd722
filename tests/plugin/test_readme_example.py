"""The README's example of the ``cognito_sync`` fixture passes, pasted into a test file as is."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.mark.skipif(not README.exists(), reason="runs from a source checkout")
def test_the_fixture_example_passes_as_written(pytester: pytest.Pytester) -> None:
    text = README.read_text("utf-8")
    section = text[text.index("\n## In pytest: the plugin\n"):text.index("\n## A fake for app tests\n")]
    [code] = re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)
    assert "def test_high_score_syncs(cognito_sync):" in code
    pytester.makepyfile(test_readme=code)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
