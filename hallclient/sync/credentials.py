"""Secrets of this workstation: the per-window platform token and the transfer-file signing key.

They live in the OS keystore through ``keyring`` (Windows Credential Manager, macOS Keychain,
Secret Service on Linux), service ``hallclient``. Where no usable keyring backend exists (a Linux
PC without a Secret Service, a service account), each secret is a file in a directory of the user
config dir that only this user may read (file 0600, directory 0700). A configured
``platform.token`` overrides the stored token (tests, the demo). Secret values never reach a log
or an exception message.
"""

from __future__ import annotations

import logging
import os
import re
import stat
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

SERVICE = "hallclient"
TRANSFER_KEY_NAME = "transfer-key"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_AUTO: Any = object()


class SecretError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def usable_keyring() -> Any | None:
    """The keyring backend to use, or None when only the fail/null backends (or an empty chain) exist."""
    try:
        import keyring
    except ImportError:  # keyring is a dependency; this only guards a broken installation
        return None
    try:
        backend = keyring.get_keyring()
    except Exception as exc:  # a backend that crashes while being chosen is no backend
        log.warning("no usable keyring (%s); secrets go to the file store", type(exc).__name__)
        return None
    return usable(backend)


def usable(backend: Any) -> Any | None:
    """``backend`` unless it is one that cannot store anything (fail, null, a chain of nothing)."""
    from keyring.backends import chainer, fail, null

    if backend is None or isinstance(backend, fail.Keyring | null.Keyring):
        return None
    if isinstance(backend, chainer.ChainerBackend) and not backend.backends:
        return None
    return backend


def mask_secret(value: str) -> str:
    """Enough to tell two tokens apart on a phone call, not enough to use one."""
    if len(value) < 12:
        return "******"
    return f"{value[:2]}******{value[-2:]}"


class SecretStore:
    """Named secrets: the keyring when it works, else 0600 files under ``fallback_dir``."""

    def __init__(self, fallback_dir: Path, backend: Any = _AUTO) -> None:
        self._dir = Path(fallback_dir)
        self._backend_value = backend  # _AUTO: look it up on first use (importing keyring costs time)

    def _backend(self) -> Any | None:
        if self._backend_value is _AUTO:
            self._backend_value = usable_keyring()
        else:
            self._backend_value = usable(self._backend_value)
        return self._backend_value

    def where(self) -> str:
        backend = self._backend()
        if backend is not None:
            return f"系统密钥环（{getattr(backend, 'name', type(backend).__name__)}）"
        return f"本机文件 {self._dir}（仅本用户可读）"

    def get(self, name: str) -> str | None:
        self._check_name(name)
        backend = self._backend()
        if backend is not None:
            try:
                value = backend.get_password(SERVICE, name)
            except Exception as exc:  # a locked or broken keyring: the file store may still have it
                log.warning("keyring read of %s failed (%s)", name, type(exc).__name__)
            else:
                if value:
                    return str(value)
        return self._read_file(name)

    def set(self, name: str, value: str) -> str:
        """Store ``value``; returns where it went (for the person who set it)."""
        self._check_name(name)
        backend = self._backend()
        if backend is not None:
            try:
                backend.set_password(SERVICE, name, value)
            except Exception as exc:
                log.warning("keyring write of %s failed (%s); using the file store", name, type(exc).__name__)
            else:
                self._remove_file(name)  # no stale copy beside the keyring
                return self.where()
        self._write_file(name, value)
        return str(self._dir / name)

    # ---- the file store ---------------------------------------------------------------------------

    @staticmethod
    def _check_name(name: str) -> None:
        if not _NAME.match(name):
            raise SecretError(f"密钥名称无效：{name!r}（只允许字母、数字、点、横线和下划线）")

    def _read_file(self, name: str) -> str | None:
        path = self._dir / name
        try:
            mode = path.stat().st_mode
        except FileNotFoundError:
            return None
        if os.name == "posix" and mode & 0o077:
            # Readable by others: it may have leaked already. Say so, and close it.
            log.warning("secret file %s was readable by other users; permissions reset to 0600", path)
            os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
        value = path.read_text(encoding="utf-8").strip()
        return value or None

    def _write_file(self, name: str, value: str) -> None:
        self._dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        if os.name == "posix":
            os.chmod(self._dir, stat.S_IRWXU)
        path = self._dir / name
        tmp = path.with_name(f".{name}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, value.encode("utf-8") + b"\n")
            os.fsync(fd)
        finally:
            os.close(fd)
        if os.name == "posix":
            os.chmod(tmp, stat.S_IRUSR | stat.S_IWUSR)  # O_CREAT keeps the mode of a leftover file
        os.replace(tmp, path)

    def _remove_file(self, name: str) -> None:
        try:
            (self._dir / name).unlink()
        except FileNotFoundError:
            pass


class TokenStore:
    """The bearer token of one window: username ``window-<n>`` in the secret store."""

    def __init__(self, secrets: SecretStore, window_no: str, configured: str = "") -> None:
        self._secrets = secrets
        self._window_no = window_no
        self._configured = configured

    @property
    def username(self) -> str:
        return f"window-{self._window_no}"

    def token(self) -> str:
        """The configured token if any, else the stored one, else ""."""
        return self._configured or self._secrets.get(self.username) or ""

    def source(self) -> str:
        if self._configured:
            return "配置项 platform.token"
        if self._secrets.get(self.username):
            return self._secrets.where()
        return "未配置"

    def set(self, token: str) -> str:
        token = token.strip()
        if not token:
            raise SecretError("令牌为空，未保存")
        if len(token) > 4096 or any(c.isspace() or not c.isprintable() for c in token):
            raise SecretError("令牌格式无效（不能含空白或控制字符，且不超过 4096 个字符），未保存")
        return self._secrets.set(self.username, token)

    def masked(self) -> str:
        token = self.token()
        return mask_secret(token) if token else "（未配置）"
