"""One test per contract property, named by its id: ``test_SYNC_1`` checks SYNC-1.

Each test reads its property's verdict from the session's conformance run (see
:mod:`cogsync.suite.session`); the fixtures come from the cogsync pytest plugin.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from cogsync.contracts.properties import PROPERTIES, Property


def name_for(property_id: str) -> str:
    return "test_" + property_id.replace("-", "_")


def _conformance_test(prop: Property) -> Callable[[Any], None]:
    @pytest.mark.cogsync_property(prop.id)
    def test(cogsync_property: Any) -> None:
        cogsync_property.check()

    test.__name__ = test.__qualname__ = name_for(prop.id)
    test.__doc__ = f"{prop.id} ({prop.level.value}): {prop.statement}"
    return test


for _property in PROPERTIES:
    globals()[name_for(_property.id)] = _conformance_test(_property)
del _property
