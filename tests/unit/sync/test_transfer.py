"""Signed transfer files: what goes in comes out with its ids; changed or foreign files are refused."""

from __future__ import annotations

import datetime as dt
import os
import stat

import pytest

from hallclient.domain.outbox import RecordKind
from hallclient.sync.transfer import (
    MAGIC,
    TransferError,
    decode_key,
    key_id,
    new_key,
    read_transfer,
    write_transfer,
)
from tests.fakes.outbox import sample_record

AT = dt.datetime(2026, 3, 7, 17, 30, tzinfo=dt.UTC)
ORIGIN = {"hall": "610113", "window": "3", "host": "pc-3"}


@pytest.fixture
def key() -> bytes:
    return decode_key(new_key())


@pytest.fixture
def records():
    return [
        sample_record(ordering_key="A", created_at=AT - dt.timedelta(hours=5)),
        sample_record(RecordKind.CASE_PROCESS, ordering_key="A", created_at=AT - dt.timedelta(hours=4)),
        sample_record(RecordKind.REVIEW, ordering_key="B", created_at=AT - dt.timedelta(hours=3)),
    ]


def test_a_written_file_reads_back_with_the_same_ids_order_and_contents(tmp_path, key, records):
    path = tmp_path / "weekend.hcx"
    write_transfer(path, records, key, exported_at=AT, origin=ORIGIN)

    transfer = read_transfer(path, key)

    assert transfer.records == tuple(records)
    assert transfer.exported_at == AT
    assert transfer.origin == ORIGIN


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_the_file_is_readable_by_this_user_only(tmp_path, key, records):
    path = tmp_path / "weekend.hcx"
    write_transfer(path, records, key, exported_at=AT, origin=ORIGIN)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["weekend.hcx"]  # no partial file left


def test_a_changed_byte_in_the_records_is_refused(tmp_path, key, records):
    path = tmp_path / "weekend.hcx"
    write_transfer(path, records, key, exported_at=AT, origin=ORIGIN)
    data = path.read_bytes()
    path.write_bytes(data.replace("测试申请人".encode(), "另一个人名".encode(), 1))

    with pytest.raises(TransferError, match="被改动"):
        read_transfer(path, key)


def test_a_removed_record_is_refused(tmp_path, key, records):
    path = tmp_path / "weekend.hcx"
    write_transfer(path, records, key, exported_at=AT, origin=ORIGIN)
    data = path.read_bytes()
    path.write_bytes(data.replace(records[2].record_id.encode(), records[1].record_id.encode()))

    with pytest.raises(TransferError, match="被改动"):
        read_transfer(path, key)


def test_a_file_signed_with_another_halls_key_is_refused_as_foreign(tmp_path, key, records):
    path = tmp_path / "other-hall.hcx"
    write_transfer(path, records, decode_key(new_key()), exported_at=AT, origin=ORIGIN)

    with pytest.raises(TransferError, match="其他大厅"):
        read_transfer(path, key)


def test_a_file_that_is_not_a_transfer_file_is_refused(tmp_path, key):
    path = tmp_path / "notes.txt"
    path.write_text("hello", encoding="utf-8")
    with pytest.raises(TransferError, match="不是 hallclient"):
        read_transfer(path, key)
    path.write_bytes(MAGIC + b"{not json\n{}")
    with pytest.raises(TransferError, match="文件头已损坏"):
        read_transfer(path, key)


def test_a_missing_file_says_so(tmp_path, key):
    with pytest.raises(TransferError, match="无法读取"):
        read_transfer(tmp_path / "absent.hcx", key)


def test_keys_are_checked_and_named_without_revealing_them():
    text = new_key()
    key = decode_key(text)
    assert len(key) == 32 and key_id(key) == key_id(decode_key(text))
    assert text not in key_id(key)
    with pytest.raises(TransferError):
        decode_key("not base64 at all!")
    with pytest.raises(TransferError, match="太短"):
        decode_key("c2hvcnQ=")
