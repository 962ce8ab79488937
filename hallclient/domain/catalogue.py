"""The item catalogue (事项目录 / 实施清单): items, their materials, lookup and search.

Pure domain: built from plain JSON-like mappings (see ``docs/catalogue-format.md``), immutable once
built, safe to share between threads. Item codes are opaque strings: provinces use different shapes
(31-char national task codes, dashed Sichuan local codes), so no single pattern is enforced.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from hallclient.domain.catalogue_search import SearchIndex, normalise

log = logging.getLogger(__name__)

FORMAT_NAME = "hallclient-catalogue"
FORMAT_VERSION = 1
_MAX_CODE_LENGTH = 100

_E = TypeVar("_E", bound=StrEnum)


class TimeUnit(StrEnum):
    WORKING_DAY = "working_day"
    NATURAL_DAY = "natural_day"


class Necessity(StrEnum):
    REQUIRED = "required"
    CONDITIONAL = "conditional"  # required only in a stated situation (e.g. 委托代理的)
    OPTIONAL = "optional"


class MaterialForm(StrEnum):
    PAPER = "纸质"
    ELECTRONIC = "电子"
    PAPER_OR_ELECTRONIC = "纸质或电子"


class MaterialSource(StrEnum):
    APPLICANT = "申请人自备"
    GOVERNMENT = "政府部门核发"
    INTERMEDIARY = "中介机构出具"
    OTHER = "其他"


class ItemType(StrEnum):
    """事项类型: the ten kinds of administrative power plus public service."""

    LICENSING = "行政许可"
    PENALTY = "行政处罚"
    COERCION = "行政强制"
    LEVY = "行政征收"
    BENEFIT = "行政给付"
    INSPECTION = "行政检查"
    CONFIRMATION = "行政确认"
    REWARD = "行政奖励"
    ADJUDICATION = "行政裁决"
    OTHER_POWER = "其他行政权力"
    PUBLIC_SERVICE = "公共服务"


@dataclass(frozen=True, slots=True)
class TimeLimit:
    days: int  # 0 means 即办 (concluded on the spot)
    unit: TimeUnit


@dataclass(frozen=True, slots=True)
class Fee:
    charged: bool
    basis: str = ""  # 收费依据; empty when not charged


@dataclass(frozen=True, slots=True)
class Material:
    name: str
    form: MaterialForm
    originals: int
    copies: int
    necessity: Necessity
    deferrable: bool = False  # 可容缺: may be promised later under 容缺受理
    e_license_exempt: bool = False  # not needed when the 电子证照 can be retrieved
    source: MaterialSource = MaterialSource.APPLICANT
    spec: str = ""
    notes: str = ""


@dataclass(frozen=True, slots=True)
class Item:
    task_code: str
    name: str
    department: str
    item_type: ItemType
    promised_limit: TimeLimit
    materials: tuple[Material, ...]
    catalog_code: str | None = None
    handle_item_code: str | None = None
    department_code: str = ""
    legal_basis: tuple[str, ...] = ()
    accept_conditions: str = ""
    statutory_limit: TimeLimit | None = None  # None: no statutory limit (common for 公共服务)
    fee: Fee = Fee(charged=False)
    place: str = ""
    hours: str = ""
    phone: str = ""
    allows_deferred: bool = False  # 容缺受理 applies to this item
    keywords: tuple[str, ...] = ()  # 别名/关键词 a clerk may type (开饭店 → 食品经营许可)

    @property
    def key(self) -> str:
        """The code that identifies this item uniquely in a catalogue."""
        return self.handle_item_code or self.task_code

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(c for c in (self.handle_item_code, self.task_code, self.catalog_code) if c)

    @property
    def deferrable_materials(self) -> tuple[Material, ...]:
        return tuple(m for m in self.materials if m.deferrable) if self.allows_deferred else ()


@dataclass(frozen=True, slots=True)
class RowError:
    """One reason an item was rejected; ``row`` counts items from 1 as a person would."""

    row: int
    item: str  # the item's name, or its code when the name is unusable
    field: str  # e.g. "name", "materials[2].necessity"
    reason: str
    unit: str = "项"  # "行" when ``row`` is a spreadsheet row of an imported table

    def __str__(self) -> str:
        return f"第 {self.row} {self.unit}「{self.item}」字段 {self.field}：{self.reason}"


class CatalogueError(Exception):
    """The catalogue as a whole cannot be read; the message names the file and the problem."""


def _norm(text: str) -> str:
    return normalise(text)


class Catalogue:
    """An immutable, ordered collection of items with code lookup and ranked search."""

    __slots__ = ("_by_code", "_index", "_items", "hall")

    def __init__(self, items: Iterable[Item], hall: str = "") -> None:
        self.hall = hall
        self._items = tuple(items)
        keys = [_norm(item.key) for item in self._items]
        if len(set(keys)) != len(keys):
            raise ValueError("two items share a handle-item code, or a task code without one")
        self._by_code: dict[str, list[Item]] = {}
        # Lookup precedence: handle-item code, then task code, then catalog code.
        for attr in ("handle_item_code", "task_code", "catalog_code"):
            for item in self._items:
                if code := getattr(item, attr):
                    bucket = self._by_code.setdefault(_norm(code), [])
                    if all(other is not item for other in bucket):
                        bucket.append(item)
        self._index = SearchIndex(self._items)

    @property
    def items(self) -> tuple[Item, ...]:
        return self._items

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Item]:
        return iter(self._items)

    def get(self, code: str) -> Item | None:
        """The item with this handle-item, task or catalog code (case-insensitive), else None.

        Several items may share a task or catalog code (业务办理项 of one item); the first one in
        catalogue order is returned, and ``get_all`` returns them all.
        """
        bucket = self._by_code.get(_norm(code))
        return bucket[0] if bucket else None

    def get_all(self, code: str) -> tuple[Item, ...]:
        return tuple(self._by_code.get(_norm(code), ()))

    def search(self, text: str, limit: int = 20) -> list[Item]:
        """Ranked search by name, any code, keywords and pinyin initials (see catalogue_search)."""
        return self._index.search(text, limit)

    def warm_up(self) -> None:
        """Build the search index now (about 0.1 ms per item); call it off the GUI thread."""
        self._index.build()


# ---- parsing -------------------------------------------------------------------------------------

_MISSING = object()


class _Row:
    """Reads one item mapping, collecting a RowError for every bad field instead of raising."""

    def __init__(self, row: int, data: Mapping[str, Any]) -> None:
        self.row = row
        self.data = data
        name = data.get("name")
        code = data.get("task_code")
        if isinstance(name, str) and name.strip():
            self.label = name.strip()
        elif isinstance(code, str) and code.strip():
            self.label = f"实施编码 {code.strip()}"
        else:
            self.label = "（无名称）"
        self.errors: list[RowError] = []

    def fail(self, fld: str, reason: str) -> None:
        self.errors.append(RowError(self.row, self.label, fld, reason))

    def text(self, src: Mapping[str, Any], key: str, fld: str, *, required: bool) -> str:
        value = src.get(key, _MISSING)
        if value is _MISSING or value is None:
            if required:
                self.fail(fld, "缺少必填字段")
            return ""
        if not isinstance(value, str):
            self.fail(fld, f"应为文本，实际为 {type(value).__name__}")
            return ""
        if required and not value.strip():
            self.fail(fld, "不能为空")
        return value.strip()

    def code(self, src: Mapping[str, Any], key: str, *, required: bool) -> str | None:
        value = src.get(key)
        if value is None or value == "":
            if required:
                self.fail(key, "缺少必填编码")
            return None
        if not isinstance(value, str):
            reason = f"编码应为文本，实际为 {type(value).__name__}"
        elif any(ch.isspace() for ch in value) or not value.isprintable():
            reason = f"编码含空白或不可见字符：{value!r}"
        elif len(value) > _MAX_CODE_LENGTH:
            reason = f"编码过长（{len(value)} 位，最多 {_MAX_CODE_LENGTH} 位）"
        else:
            return value  # stored exactly as given: shapes differ by province
        self.fail(key, reason)
        return None

    def flag(self, src: Mapping[str, Any], key: str, fld: str, *, default: bool = False) -> bool:
        value = src.get(key, default)
        if not isinstance(value, bool):
            self.fail(fld, f"应为 true 或 false，实际为 {value!r}")
            return default
        return value

    def count(self, src: Mapping[str, Any], key: str, fld: str) -> int:
        value = src.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            self.fail(fld, "缺少必填字段" if value is None else f"应为不小于 0 的整数，实际为 {value!r}")
            return 0
        return value

    def choice(
        self, src: Mapping[str, Any], key: str, fld: str, enum: type[_E], default: _E | None = None
    ) -> _E | None:
        value = src.get(key, _MISSING)
        if value is _MISSING or value is None:
            if default is None:
                self.fail(fld, "缺少必填字段")
            return default
        try:
            return enum(value)
        except ValueError:
            allowed = "、".join(e.value for e in enum)
            self.fail(fld, f"取值无效：{value!r}（应为 {allowed} 之一）")
            return None

    def limit(self, key: str, *, required: bool) -> TimeLimit | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.fail(key, "缺少必填字段")
            return None
        if not isinstance(value, Mapping):
            self.fail(key, "应为含 days 和 unit 的对象")
            return None
        days = self.count(value, "days", f"{key}.days")
        unit = self.choice(value, "unit", f"{key}.unit", TimeUnit)
        return TimeLimit(days, unit) if unit is not None else None

    def fee(self) -> Fee:
        value = self.data.get("fee")
        if value is None:
            return Fee(charged=False)
        if not isinstance(value, Mapping):
            self.fail("fee", "应为含 charged 和 basis 的对象")
            return Fee(charged=False)
        charged = self.flag(value, "charged", "fee.charged")
        basis = self.text(value, "basis", "fee.basis", required=charged)
        return Fee(charged, basis)

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(s, str) and s.strip() for s in value):
            self.fail(key, "应为非空文本的列表")
            return ()
        return tuple(s.strip() for s in value)

    def material(self, index: int, src: object) -> Material | None:
        fld = f"materials[{index}]"
        if not isinstance(src, Mapping):
            self.fail(fld, "应为对象")
            return None
        before = len(self.errors)
        name = self.text(src, "name", f"{fld}.name", required=True)
        form = self.choice(src, "form", f"{fld}.form", MaterialForm)
        originals = self.count(src, "originals", f"{fld}.originals")
        copies = self.count(src, "copies", f"{fld}.copies")
        necessity = self.choice(src, "necessity", f"{fld}.necessity", Necessity)
        deferrable = self.flag(src, "deferrable", f"{fld}.deferrable")
        exempt = self.flag(src, "e_license_exempt", f"{fld}.e_license_exempt")
        source = self.choice(src, "source", f"{fld}.source", MaterialSource, MaterialSource.APPLICANT)
        spec = self.text(src, "spec", f"{fld}.spec", required=False)
        notes = self.text(src, "notes", f"{fld}.notes", required=False)
        if form is MaterialForm.PAPER and originals == 0 and copies == 0 and len(self.errors) == before:
            self.fail(fld, f"纸质材料「{name}」的原件和复印件份数不能都为 0")
        if deferrable and necessity is Necessity.OPTIONAL:
            self.fail(f"{fld}.deferrable", f"材料「{name}」是可选材料，无需标为可容缺")
        if len(self.errors) > before or form is None or necessity is None or source is None:
            return None
        return Material(name, form, originals, copies, necessity, deferrable, exempt, source, spec, notes)


_REQUIRED_TEXT = ("name", "department")
_OPTIONAL_TEXT = ("department_code", "accept_conditions", "place", "hours", "phone")


def _parse_item(row: int, data: Mapping[str, Any]) -> tuple[Item | None, list[RowError]]:
    r = _Row(row, data)
    text = {key: r.text(data, key, key, required=True) for key in _REQUIRED_TEXT}
    text |= {key: r.text(data, key, key, required=False) for key in _OPTIONAL_TEXT}
    task_code = r.code(data, "task_code", required=True)
    catalog_code = r.code(data, "catalog_code", required=False)
    handle_item_code = r.code(data, "handle_item_code", required=False)
    item_type = r.choice(data, "item_type", "item_type", ItemType)
    statutory = r.limit("statutory_limit", required=False)
    promised = r.limit("promised_limit", required=True)
    allows_deferred = r.flag(data, "allows_deferred", "allows_deferred")
    legal_basis = r.strings("legal_basis")
    keywords = r.strings("keywords")
    fee = r.fee()
    raw_materials = data.get("materials", _MISSING)
    materials: list[Material] = []
    if not isinstance(raw_materials, list):
        r.fail("materials", "缺少材料列表" if raw_materials is _MISSING else "应为列表")
        raw_materials = []
    for i, raw in enumerate(raw_materials):
        material = r.material(i, raw)
        if material is not None and any(m.name == material.name for m in materials):
            r.fail(f"materials[{i}].name", f"材料名称「{material.name}」重复")
        elif material is not None:
            materials.append(material)
    if statutory and promised and statutory.unit == promised.unit and promised.days > statutory.days:
        r.fail("promised_limit", f"承诺时限 {promised.days} 天超过法定时限 {statutory.days} 天")
    deferrable = any(m.deferrable for m in materials)
    if deferrable and not allows_deferred:
        r.fail("allows_deferred", "有可容缺材料但事项未开通容缺受理（allows_deferred 为 false）")
    if allows_deferred and not deferrable and len(materials) == len(raw_materials):
        r.fail("allows_deferred", "开通了容缺受理但没有任何可容缺材料")
    if r.errors or task_code is None or item_type is None or promised is None:
        return None, r.errors
    item = Item(
        task_code=task_code,
        item_type=item_type,
        promised_limit=promised,
        materials=tuple(materials),
        legal_basis=legal_basis,
        keywords=keywords,
        statutory_limit=statutory,
        fee=fee,
        allows_deferred=allows_deferred,
        catalog_code=catalog_code,
        handle_item_code=handle_item_code,
        **text,
    )
    return item, []


def parse_catalogue(data: Mapping[str, Any]) -> tuple[Catalogue, list[RowError]]:
    """Build a catalogue from parsed JSON; bad items are left out and reported, the rest load.

    Raises CatalogueError only when the document as a whole is not a catalogue.
    """
    if not isinstance(data, Mapping):
        raise CatalogueError("事项目录应为 JSON 对象")
    if data.get("format") != FORMAT_NAME:
        raise CatalogueError(f"不是事项目录文件：format 应为 {FORMAT_NAME!r}，实际为 {data.get('format')!r}")
    version = data.get("version")
    if version != FORMAT_VERSION:
        raise CatalogueError(f"不支持的事项目录版本 {version!r}（本程序支持版本 {FORMAT_VERSION}）")
    raw_items = data.get("items")
    if not isinstance(raw_items, list):
        raise CatalogueError("事项目录缺少 items 列表")
    hall = data.get("hall", "")
    items: list[Item] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for row, raw in enumerate(raw_items, start=1):
        if not isinstance(raw, Mapping):
            errors.append(RowError(row, "（无名称）", "items", "应为对象"))
            continue
        item, item_errors = _parse_item(row, raw)
        errors.extend(item_errors)
        if item is None:
            continue
        key = _norm(item.key)  # the same normalisation as lookup, so Catalogue() cannot refuse them
        if key in seen:
            fld = "handle_item_code" if item.handle_item_code else "task_code"
            errors.append(RowError(row, item.name, fld, f"编码 {item.key} 与第 {seen[key]} 项重复"))
            continue
        seen[key] = row
        items.append(item)
    return Catalogue(items, hall=hall if isinstance(hall, str) else ""), errors


def read_catalogue(path: str | Path) -> tuple[Catalogue, list[RowError]]:
    """Read a catalogue file; CatalogueError names the file when it cannot be read at all."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CatalogueError(f"无法读取事项目录文件 {path}：{exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise CatalogueError(f"事项目录文件 {path} 不是 UTF-8 编码：{exc}") from exc
    except json.JSONDecodeError as exc:
        raise CatalogueError(
            f"事项目录文件 {path} 不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列：{exc.msg}）"
        ) from exc
    try:
        return parse_catalogue(data)
    except CatalogueError as exc:
        raise CatalogueError(f"事项目录文件 {path}：{exc}") from exc


def load_catalogue(path: str | Path) -> Catalogue:
    """Read a catalogue file, logging each rejected item; use read_catalogue to show them."""
    catalogue, errors = read_catalogue(path)
    for error in errors:
        log.warning("catalogue %s: %s", path, error)
    return catalogue
