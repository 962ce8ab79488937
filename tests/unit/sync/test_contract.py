"""The contract in code (hallclient.sync.contract) and the OpenAPI text say the same thing.

PyYAML is not a dependency, so the checks read the few lines they need from the text.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from hallclient.domain.outbox import RecordKind
from hallclient.sync import contract
from tests.fakes.outbox import sample_record

OPENAPI = (Path(__file__).parents[3] / "resources" / "platform" / "openapi.yaml").read_text(encoding="utf-8")


def _payload_required(kind: RecordKind) -> list[str]:
    record_schema = re.search(rf'^\s+{re.escape(kind)}: "#/components/schemas/(\w+)Record"', OPENAPI, re.M)
    assert record_schema, f"no discriminator mapping for {kind}"
    name = record_schema.group(1) + "Payload"
    block = re.search(rf"^    {name}:\n(?:      .*\n)*?      required: \[([^\]]*)\]", OPENAPI, re.M)
    assert block, f"no required list for {name}"
    return [f.strip() for f in block.group(1).split(",")]


@pytest.mark.parametrize("kind", list(RecordKind))
def test_every_kind_has_a_payload_schema_with_the_required_fields_the_code_checks(kind):
    assert _payload_required(kind) == list(contract.REQUIRED_FIELDS[kind])


def test_every_path_the_code_uses_is_in_the_contract():
    paths = {contract.BATCH_PATH, contract.HEALTH_PATH, contract.STATS_PATH}
    paths |= {f"{contract.API_PREFIX}/{r}" for r in contract.PULL_RESOURCES}
    for path in paths:
        assert re.search(rf"^  {re.escape(path)}:$", OPENAPI, re.M), path
    assert f"maxItems: {contract.MAX_BATCH}" in OPENAPI


def test_a_record_goes_on_the_wire_with_every_base_field():
    record = sample_record(
        created_at=dt.datetime(2026, 3, 2, 17, 15, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    )
    wire = contract.record_to_wire(record)
    required = re.search(r"^    RecordBase:\n(?:      .*\n)*?      required: \[([^\]]*)\]", OPENAPI, re.M)
    assert required
    assert sorted(wire) == sorted(f.strip() for f in required.group(1).split(","))
    assert wire["device_time"] == "2026-03-02T09:15:00.000Z"
    assert wire["kind"] == "case.accept"


def test_naive_times_never_reach_the_wire():
    with pytest.raises(ValueError):
        contract.rfc3339(dt.datetime(2026, 3, 2, 9, 15))


def test_json_keeps_chinese_readable_and_encodes_dates():
    body = contract.dumps({"name": "受理", "on": dt.date(2026, 3, 2)})
    assert body == '{"name":"受理","on":"2026-03-02"}'.encode()
