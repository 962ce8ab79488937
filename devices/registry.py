"""Which drivers exist for each device role, created by key from configuration.

Drivers register a factory under ``(role, key)``. Factories are normally :func:`lazy` references
("module:attribute") so that listing or registering drivers imports nothing heavy: pyserial, pyscard or a
vendor library is only imported when a driver is actually created.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from devices.errors import DeviceError, DeviceUnavailable

__all__ = [
    "CARD_READER",
    "REVIEW_PAD",
    "ROLE_NAMES",
    "TICKET_PRINTER",
    "DriverInfo",
    "DriverRegistry",
    "available",
    "create",
    "default_registry",
    "lazy",
    "register",
]

CARD_READER: Final = "card_reader"
REVIEW_PAD: Final = "review_pad"
TICKET_PRINTER: Final = "ticket_printer"
ROLE_NAMES: Final = {CARD_READER: "身份证读卡器", REVIEW_PAD: "评价器", TICKET_PRINTER: "取号打印机"}

Factory = Callable[..., Any]


def lazy(target: str, *, requires: str = "") -> Factory:
    """A factory that imports ``"package.module:Attribute"`` only when called, then calls it.

    If the import fails, ``DeviceUnavailable`` names the missing component (``requires``, e.g. "pyserial").
    """
    module_name, _, attribute = target.partition(":")
    if not module_name or not attribute:
        raise ValueError(f"expected 'module:attribute', got {target!r}")

    def factory(**options: Any) -> Any:
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            component = requires or (exc.name or module_name)
            raise DeviceUnavailable(
                f"此电脑缺少设备驱动组件（{component}），请联系管理员安装",
                detail=f"cannot import {module_name}: {exc}",
            ) from exc
        return getattr(module, attribute)(**options)

    factory.__qualname__ = f"lazy({target!r})"
    return factory


@dataclass(frozen=True)
class DriverInfo:
    role: str
    key: str
    description: str
    factory: Factory


class DriverRegistry:
    """Drivers by ``(role, key)``. The package-wide instance lives in ``devices``; tests build their own."""

    def __init__(self) -> None:
        self._drivers: dict[tuple[str, str], DriverInfo] = {}

    def register(self, role: str, key: str, factory: Factory, description: str) -> None:
        if (role, key) in self._drivers:
            raise ValueError(f"driver {key!r} already registered for role {role!r}")
        self._drivers[(role, key)] = DriverInfo(role, key, description, factory)

    def available(self, role: str) -> list[tuple[str, str]]:
        """``(key, description)`` of every driver of ``role``, in registration order."""
        return [(info.key, info.description) for info in self._drivers.values() if info.role == role]

    def create(self, role: str, key: str, **options: Any) -> Any:
        """A new driver instance; ``DeviceError`` naming the known keys if ``key`` is not registered."""
        info = self._drivers.get((role, key))
        if info is None:
            known = "、".join(k for k, _ in self.available(role)) or "无"
            role_name = ROLE_NAMES.get(role, role)
            raise DeviceError(
                f"未知的{role_name}驱动“{key}”，可选：{known}。请检查设备设置",
                code="unknown_driver",
                detail=f"role={role!r} key={key!r}",
            )
        return info.factory(**options)


# The package-wide registry: filled once by ``devices/__init__.py`` at import and only read afterwards.
default_registry: Final = DriverRegistry()
register = default_registry.register
create = default_registry.create
available = default_registry.available
