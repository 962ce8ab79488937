"""Clerk login: scrypt-hashed passwords, lockout after repeated failures, one sign-in per window."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from hallclient.domain.passwords import LockoutPolicy, hash_password, verify_password
from hallclient.services.errors import LoginError
from hallclient.services.ports import ClerkRecord, Clock, UnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ClerkSession:
    clerk_id: int
    staff_no: str
    name: str
    role: str
    window_id: int
    window_no: str
    business_ids: tuple[int, ...]
    phone: str = ""


def _check_new_password(password: str) -> None:
    if len(password) < 8:
        raise LoginError("密码至少需要8位")


class WindowTakenError(LoginError):
    def __init__(self, message: str, holder: str) -> None:
        super().__init__(message)
        self.holder = holder


class AuthService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, policy: LockoutPolicy | None = None) -> None:
        self._uow = uow
        self._clock = clock
        self._policy = policy or LockoutPolicy()

    def add_clerk(self, staff_no: str, name: str, password: str, role: str = "clerk", phone: str = "") -> int:
        _check_new_password(password)
        with self._uow() as uow:
            if uow.staff.clerk_by_staff_no(staff_no) is not None:
                raise LoginError(
                    f"工号 {staff_no} 已存在，请换一个工号，或用 `hallclient clerk passwd` 重设其密码"
                )
            clerk_id = uow.staff.add_clerk(staff_no, name, role, hash_password(password), phone)
            uow.audit.add(self._clock.now(), None, None, "clerk.add", staff_no)
            uow.commit()
        return clerk_id

    def set_password(self, staff_no: str, password: str) -> None:
        """An administrator's reset: new hash, failures cleared, lock lifted; audited."""
        _check_new_password(password)
        with self._uow() as uow:
            clerk = self._existing(uow, staff_no)
            uow.staff.set_password(clerk.id, hash_password(password))
            uow.staff.record_login_result(clerk.id, 0, None)
            uow.audit.add(self._clock.now(), None, None, "clerk.password_reset", staff_no)
            uow.commit()

    def unlock(self, staff_no: str) -> None:
        with self._uow() as uow:
            clerk = self._existing(uow, staff_no)
            uow.staff.record_login_result(clerk.id, 0, None)
            uow.audit.add(self._clock.now(), None, None, "clerk.unlock", staff_no)
            uow.commit()

    @staticmethod
    def _existing(uow: UnitOfWork, staff_no: str) -> ClerkRecord:
        clerk = uow.staff.clerk_by_staff_no(staff_no)
        if clerk is None:
            raise LoginError(f"没有工号为 {staff_no} 的工作人员")
        return clerk

    def login(
        self, staff_no: str, password: str, window_no: str, host: str = "", *, take_over: bool = False
    ) -> ClerkSession:
        now = self._clock.now()
        with self._uow() as uow:
            clerk = uow.staff.clerk_by_staff_no(staff_no.strip())
            if clerk is None or not clerk.active:
                # The same words as a wrong password: do not tell a stranger which staff numbers exist.
                raise LoginError("工号或密码错误")
            if clerk.locked_until is not None and clerk.locked_until > now:
                until = clerk.locked_until.astimezone().strftime("%H:%M")
                raise LoginError(
                    f"连续输错密码次数过多，账号已锁定至 {until}，请稍后再试或联系大厅管理员解锁"
                )
            if not verify_password(password, clerk.password_hash):
                failures = clerk.failed_attempts + 1
                locked = self._policy.locked_until(failures, now)
                uow.staff.record_login_result(clerk.id, 0 if locked else failures, locked)
                uow.audit.add(now, clerk.id, None, "login.failed", staff_no)
                uow.commit()
                if locked:
                    raise LoginError(f"连续输错密码{failures}次，账号已锁定{self._policy.lock_minutes}分钟")
                left = self._policy.max_failures - failures
                raise LoginError(f"工号或密码错误，还可尝试{left}次")
            window = uow.staff.window_by_number(window_no)
            if window is None:
                raise LoginError(f"没有编号为 {window_no} 的窗口，请检查配置中的窗口号")
            if window.signed_in_clerk_id not in (None, clerk.id) and not take_over:
                holder = uow.staff.clerk(window.signed_in_clerk_id)
                where = f"（{window.signed_in_host}）" if window.signed_in_host else ""
                raise WindowTakenError(
                    f"{window.number}号窗口已由 {holder.name}（工号 {holder.staff_no}）{where}登录。"
                    "确认接管后，对方将被签退。",
                    holder.name,
                )
            uow.staff.record_login_result(clerk.id, 0, None)
            uow.staff.sign_in(window.id, clerk.id, host, now)
            uow.audit.add(
                now, clerk.id, window.id, "login.take_over" if take_over else "login", window.number
            )
            uow.commit()
            log.info("clerk %s signed in at window %s", clerk.staff_no, window.number)
            return ClerkSession(
                clerk.id,
                clerk.staff_no,
                clerk.name,
                clerk.role,
                window.id,
                window.number,
                window.business_ids,
                clerk.phone,
            )

    def logout(self, session: ClerkSession) -> None:
        with self._uow() as uow:
            window = uow.staff.window_by_number(session.window_no)
            if window is not None and window.signed_in_clerk_id == session.clerk_id:
                uow.staff.sign_in(window.id, None, "", self._clock.now())
            uow.audit.add(self._clock.now(), session.clerk_id, session.window_id, "logout")
            uow.commit()
