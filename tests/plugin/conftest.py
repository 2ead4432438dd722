"""The plugin is tested the way users meet it: inner pytest runs through pytester."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import cogsync


def _import_every_cogsync_module() -> None:
    """pytester's in-process runs restore ``sys.modules`` when they end: a cogsync module
    first imported inside one is dropped, and the next import makes a second copy of its
    classes (an ``Identity`` that ``isinstance`` no longer recognizes in code holding the
    first). Importing every module here, before any inner run, keeps one copy of each."""
    for module in pkgutil.walk_packages(cogsync.__path__, "cogsync."):
        if not module.name.startswith("cogsync.suite.test_"):
            importlib.import_module(module.name)


_import_every_cogsync_module()

MUTANT_SOURCE = '''
"""A mutant of the reference emulator: records in answers lose their Value."""
import json

from cogsync.targets.emulator_app import build_emulator_app


def make_app():
    app, _ = build_emulator_app()

    def drop_values(environ, start_response):
        seen = {}
        body = b"".join(app(environ, lambda s, h, e=None: seen.update(s=s, h=h)))
        data = json.loads(body) if body.startswith(b"{") else None
        if isinstance(data, dict) and isinstance(data.get("Records"), list):
            for record in data["Records"]:
                record.pop("Value", None)
            body = json.dumps(data).encode()
        headers = [(k, v) for k, v in seen["h"] if k.lower() != "content-length"]
        headers.append(("Content-Length", str(len(body))))
        start_response(seen["s"], headers)
        return [body]

    return drop_values
'''


@pytest.fixture
def inner_mutant(pytester: pytest.Pytester) -> str:
    """``module:factory`` of a drop-the-Value mutant, importable by the inner pytest run."""
    pytester.makepyfile(plugin_mutant_drop_values=MUTANT_SOURCE)
    pytester.syspathinsert()
    return "plugin_mutant_drop_values:make_app"
