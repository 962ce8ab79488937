from __future__ import annotations

from dataclasses import replace

import pytest

from printing.model import DocumentData, DocumentKind, MaterialLine

from .samples import MASKED_ID, make_data


@pytest.mark.parametrize(
    "id_number",
    [
        "11010519491231002X",
        "11010519491231002x",
        "110105194912310021",
        "110105 19491231 002X",
        "110105491231002",  # first-generation, 15 digits
    ],
)
def test_full_id_number_is_refused(id_number: str) -> None:
    with pytest.raises(ValueError, match="full ID number"):
        make_data(DocumentKind.ONE_TIME_NOTICE, applicant_id_masked=id_number)


@pytest.mark.parametrize("masked", [MASKED_ID, "1101**********002X", ""])
def test_masked_or_absent_id_number_is_accepted(masked: str) -> None:
    assert make_data(DocumentKind.ONE_TIME_NOTICE, applicant_id_masked=masked).applicant_id_masked == masked


def test_full_mobile_number_is_refused() -> None:
    with pytest.raises(ValueError, match="mobile"):
        make_data(DocumentKind.RECEIPT, applicant_phone_masked="13812341234")


def test_rejection_without_reason_is_refused() -> None:
    with pytest.raises(ValueError, match="reason"):
        make_data(DocumentKind.REJECTION, reason=" ")


def test_copies_must_be_positive() -> None:
    with pytest.raises(ValueError, match="copies"):
        make_data(DocumentKind.RECEIPT, copies=0)


def test_data_is_immutable_even_when_built_from_lists_and_dicts() -> None:
    extra = {"action": "转办"}
    data = replace(
        make_data(DocumentKind.INQUIRY_RECEIPT),
        kind="inquiry_receipt",  # type: ignore[arg-type]  # as read back from a database column
        materials=[MaterialLine("身份证复印件", "", "1份")],  # type: ignore[arg-type]
        legal_basis=["《某条例》第一条"],  # type: ignore[arg-type]
        extra=extra,
    )
    extra["action"] = "changed"
    assert isinstance(data.materials, tuple)
    assert isinstance(data.legal_basis, tuple)
    assert data.kind is DocumentKind.INQUIRY_RECEIPT
    assert data.extra["action"] == "转办"
    with pytest.raises(TypeError):
        data.extra["action"] = "x"  # type: ignore[index]


def test_issuer_defaults_to_the_hall() -> None:
    data: DocumentData = make_data(DocumentKind.ACCEPTANCE_NOTICE)
    assert data.issuer_name == data.hall.name
    assert (
        make_data(DocumentKind.ACCEPTANCE_NOTICE, issuer="广安区市场监督管理局").issuer_name
        == "广安区市场监督管理局"
    )
