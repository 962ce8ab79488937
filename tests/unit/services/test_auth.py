from __future__ import annotations

import pytest

from hallclient.services.auth import WindowTakenError
from hallclient.services.errors import LoginError
from tests.unit.services.conftest import PASSWORD


def test_login_gives_a_session_for_the_window(wiring) -> None:
    wiring.auth.add_clerk("1001", "张敏", PASSWORD)
    s = wiring.auth.login("1001", PASSWORD, "1", "pc-1")
    assert (s.name, s.window_no) == ("张敏", "1")
    assert s.business_ids


def test_wrong_password_counts_down_then_locks(wiring, clock) -> None:
    wiring.auth.add_clerk("1001", "张敏", PASSWORD)
    for left in (4, 3, 2, 1):
        with pytest.raises(LoginError, match=f"还可尝试{left}次"):
            wiring.auth.login("1001", "wrong", "1")
    with pytest.raises(LoginError, match="已锁定"):
        wiring.auth.login("1001", "wrong", "1")
    with pytest.raises(LoginError, match="已锁定"):
        wiring.auth.login("1001", PASSWORD, "1")  # even the right password while locked
    clock.advance(minutes=16)
    assert wiring.auth.login("1001", PASSWORD, "1").staff_no == "1001"


def test_unknown_staff_number_reads_like_a_wrong_password(wiring) -> None:
    with pytest.raises(LoginError, match="^工号或密码错误$"):
        wiring.auth.login("9999", "whatever", "1")


def test_short_password_is_refused(wiring) -> None:
    with pytest.raises(LoginError, match="至少需要8位"):
        wiring.auth.add_clerk("1002", "李华", "short")


def test_window_held_by_another_clerk_names_the_holder_and_can_be_taken_over(wiring) -> None:
    wiring.auth.add_clerk("1001", "张敏", PASSWORD)
    wiring.auth.add_clerk("1002", "李华", PASSWORD)
    wiring.auth.login("1001", PASSWORD, "1", "pc-1")
    with pytest.raises(WindowTakenError, match="张敏") as exc:
        wiring.auth.login("1002", PASSWORD, "1", "pc-2")
    assert exc.value.holder == "张敏"
    assert wiring.auth.login("1002", PASSWORD, "1", "pc-2", take_over=True).name == "李华"


def test_unknown_window_is_explained(wiring) -> None:
    wiring.auth.add_clerk("1001", "张敏", PASSWORD)
    with pytest.raises(LoginError, match="没有编号为 99 的窗口"):
        wiring.auth.login("1001", PASSWORD, "99")


def test_duplicate_staff_number_is_refused_in_words(wiring) -> None:
    wiring.auth.add_clerk("1001", "张敏", PASSWORD)
    with pytest.raises(LoginError, match="已存在"):
        wiring.auth.add_clerk("1001", "张敏", PASSWORD)


def test_admin_unlock_and_password_reset(wiring) -> None:
    wiring.auth.add_clerk("1001", "张敏", PASSWORD)
    for _ in range(5):
        with pytest.raises(LoginError):
            wiring.auth.login("1001", "wrong", "1")
    wiring.auth.unlock("1001")
    assert wiring.auth.login("1001", PASSWORD, "1").staff_no == "1001"
    wiring.auth.set_password("1001", "Another#2026")
    with pytest.raises(LoginError):
        wiring.auth.login("1001", PASSWORD, "1")
    assert wiring.auth.login("1001", "Another#2026", "1").staff_no == "1001"
    with pytest.raises(LoginError, match="没有工号"):
        wiring.auth.unlock("9999")
