"""The committed contract files are what botocore's model says, and schemathesis reads them."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest

from cogsync.contracts import generate, schemas
from cogsync.contracts.calls import ERROR_STATUS, OPERATIONS

CONTRACTS = Path(resources.files("cogsync.contracts"))  # type: ignore[arg-type]


def test_committed_files_match_installed_botocore():
    rendered = generate.render()
    stale = [
        name
        for name, text in rendered.items()
        if not (CONTRACTS / name).exists() or (CONTRACTS / name).read_text("utf-8") != text
    ]
    assert not stale, f"regenerate with `python -m cogsync.contracts.generate`: {stale}"
    committed = {p.name for p in CONTRACTS.glob("*.json")}
    assert committed == set(rendered), "a committed schema no longer comes from the model"


def test_check_flag_reports_drift(tmp_path):
    (tmp_path / "UpdateRecordsRequest.json").write_text("{}", "utf-8")
    assert generate.main(["--check", "--out", str(tmp_path)]) == 1


def test_every_operation_has_input_output_and_error_schemas():
    model = generate.load_service_model()
    for op, shapes in generate.operation_shapes(model).items():
        assert op in OPERATIONS
        for name in [shapes["input"], shapes["output"], *shapes["errors"]]:
            assert name in schemas.schema_names()
        for err in shapes["errors"]:
            assert schemas.load_schema(err)["x-status"] == ERROR_STATUS[err]


@pytest.mark.parametrize(
    "value, valid",
    [
        ("us-east-1:23ec4050-6aea-7089-a2dd-08002e000000", True),
        ("a:0", True),
        ("us-east-1:23EC4050", False),  # the pattern allows lowercase hex only
        ("us-east-1:abc\n", False),  # full match: no trailing newline
        ("us east-1:abc", False),
        ("é:abc", False),  # Java's \w is ASCII only
        ("us-east-1:" + "a" * 46, False),  # 55 characters at most
    ],
)
def test_identity_id_pattern_is_a_full_ascii_match(value, valid):
    request = {"IdentityPoolId": value, "IdentityId": value, "DatasetName": "d"}
    assert schemas.is_valid("DescribeDatasetRequest", request) is valid


def test_timestamps_are_numbers_in_outputs():
    record = schemas.load_schema("ListRecordsResponse")["$defs"]["Record"]
    assert record["properties"]["LastModifiedDate"]["type"] == "number"
    assert schemas.is_valid("ListRecordsResponse", {"Records": [{"Key": "k", "LastModifiedDate": 1.5}]})
    assert not schemas.is_valid(
        "ListRecordsResponse", {"Records": [{"Key": "k", "LastModifiedDate": "2024-01-01"}]}
    )


def test_openapi_lists_five_calls_with_percent_encodable_path_labels():
    doc = schemas.load_openapi()
    ops = {op["operationId"] for path in doc["paths"].values() for op in path.values()}
    assert ops == set(OPERATIONS)
    update = doc["paths"]["/identitypools/{IdentityPoolId}/identities/{IdentityId}/datasets/{DatasetName}"]["post"]
    where = {p["name"]: p["in"] for p in update["parameters"]}
    assert where == {
        "IdentityPoolId": "path",
        "IdentityId": "path",
        "DatasetName": "path",
        "x-amz-Client-Context": "header",
    }
    assert set(update["responses"]) == {"200", "400", "403", "404", "409", "429", "500"}


def test_schemathesis_loads_the_openapi_document():
    schemathesis = pytest.importorskip("schemathesis")
    schema = schemathesis.openapi.from_path(str(CONTRACTS / "openapi.json"))
    found = {op.ok().definition.raw["operationId"] for op in schema.get_all_operations()}
    assert found == set(OPERATIONS)


def test_patterns_in_schemas_compile_as_python_and_ecma_subset():
    for name in schemas.schema_names():
        text = (CONTRACTS / f"{name}.json").read_text("utf-8")
        for pattern in re.findall(r'"pattern": "([^"]+)"', text):
            assert pattern.startswith("^(?:") and pattern.endswith(")$")
            re.compile(pattern.encode().decode("unicode_escape"))
