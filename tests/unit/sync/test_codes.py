from __future__ import annotations

import pytest

from hallclient.domain.outbox import RecordKind
from hallclient.sync.codes import CodeMapper, UnmappedCodeError

INSPUR = {  # a target where the same outcome has another number (platform.md §6)
    "tables": {
        "case_result": {"issued": "0", "denied": "1", "returned": "5"},
        "document_type": {111: "1", "414": "3"},
    }
}


def test_coded_fields_are_mapped_through_the_target_tables():
    mapper = CodeMapper.from_config(INSPUR)
    payload = {"project_no": "P1", "result_type": "returned"}
    assert mapper.map_payload(RecordKind.CASE_RESULT, payload) == {"project_no": "P1", "result_type": "5"}
    assert payload["result_type"] == "returned"  # the record itself is untouched


def test_keys_compare_as_text():
    mapper = CodeMapper.from_config(INSPUR)
    assert mapper.lookup("document_type", "111") == "1"
    assert mapper.lookup("document_type", 414) == "3"


def test_an_unknown_value_is_not_sent():
    mapper = CodeMapper.from_config(INSPUR)
    with pytest.raises(UnmappedCodeError) as info:
        mapper.map_payload(RecordKind.CASE_RESULT, {"result_type": "voided"})
    assert (info.value.table, info.value.field, info.value.value) == ("case_result", "result_type", "voided")
    assert "办结结果" in info.value.message and "voided" in info.value.message


def test_a_missing_table_is_not_sent_either():
    mapper = CodeMapper.from_config(INSPUR)
    with pytest.raises(UnmappedCodeError, match="评价等级"):
        mapper.map_payload(RecordKind.REVIEW, {"level": 5})


def test_absent_or_empty_coded_fields_are_left_alone():
    mapper = CodeMapper.from_config(INSPUR)
    assert mapper.map_payload(RecordKind.CASE_ACCEPT, {"project_no": "P1", "contact_type": ""}) == {
        "project_no": "P1",
        "contact_type": "",
    }


def test_the_reference_tables_know_the_national_document_types():
    mapper = CodeMapper.reference()
    assert mapper.lookup("document_type", "111") == "111"
    assert mapper.lookup("case_result", "not_accepted") == "6"
    assert mapper.lookup("review_level", 1) == 1
    with pytest.raises(UnmappedCodeError):
        mapper.lookup("document_type", "1000")  # the private HK/MO/TW code: ask the province


def test_a_malformed_config_is_refused():
    with pytest.raises(ValueError):
        CodeMapper.from_config({"tables": {"case_result": ["issued"]}})
