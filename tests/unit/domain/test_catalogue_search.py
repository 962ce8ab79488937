"""Item search: name, any code, keywords and pinyin initials, ranked."""

from __future__ import annotations

from hallclient.domain.catalogue import Catalogue, Item, ItemType, TimeLimit, TimeUnit
from hallclient.domain.catalogue_search import initials


def _item(code: str, name: str, department: str = "区市场监督管理局", keywords: tuple[str, ...] = ()) -> Item:
    return Item(
        task_code=code,
        name=name,
        department=department,
        item_type=ItemType.LICENSING,
        promised_limit=TimeLimit(10, TimeUnit.WORKING_DAY),
        materials=(),
        keywords=keywords,
    )


CATALOGUE = Catalogue(
    [
        _item("511A0138000000-511602000000-000-115113010833722043-1-00", "营业执照变更登记"),
        _item("11610199MB162718XF4000172010000", "食品经营许可（新办）", keywords=("开饭店", "小餐馆")),
        _item("11610199MB162718XF4000172011000", "食品经营许可（延续）"),
        _item("G-000007-001-511602000000-000-115113010833722043-1-00", "建设银行账户开立证明", "区金融办"),
        _item("X-9", "公共场所卫生许可", "区卫生健康局"),
    ]
)


def names(query: str) -> list[str]:
    return [i.name for i in CATALOGUE.search(query)]


def test_initials_are_phrase_aware_and_drop_punctuation() -> None:
    assert initials("营业执照（变更）") == "yyzzbg"
    assert initials("建设银行") == "jsyh"  # 行 read háng in 银行, not xíng
    assert initials("ＡＢ公共") == "abgg"  # full-width letters from an IME fold to ASCII


def test_pinyin_initials_find_items_prefix_before_part() -> None:
    assert names("yyzz") == ["营业执照变更登记"]
    assert names("spjy")[:2] == ["食品经营许可（新办）", "食品经营许可（延续）"]
    # 许可 inside the initials: the earlier it starts, the better (spjyXK before ggcswsXK).
    assert names("XK") == ["食品经营许可（新办）", "食品经营许可（延续）", "公共场所卫生许可"]


def test_keywords_of_an_item_and_the_department_are_searched() -> None:
    assert names("开饭店") == ["食品经营许可（新办）"]
    assert names("卫生健康") == ["公共场所卫生许可"]
    assert names("许可 卫生健康局") == ["公共场所卫生许可"]


def test_any_code_exact_prefix_or_fragment() -> None:
    assert names("11610199MB162718XF4000172011000") == ["食品经营许可（延续）"]
    assert names("g-000007")[0] == "建设银行账户开立证明"
    # A fragment from the middle of Sichuan's dashed codes (the department's credit code).
    assert set(names("115113010833722043")) == {"营业执照变更登记", "建设银行账户开立证明"}


def test_exact_code_beats_names_that_contain_it() -> None:
    catalogue = Catalogue([_item("X-1", "编码 spjy 出现在名称中"), _item("SPJY", "别的事项")])
    assert [i.task_code for i in catalogue.search("spjy")] == ["SPJY", "X-1"]


def test_limit_and_blank_queries() -> None:
    assert CATALOGUE.search("   ") == []
    assert len(CATALOGUE.search("许可", limit=2)) == 2
    assert CATALOGUE.search("许可", limit=0) == []


def test_concurrent_first_searches_build_the_index_once() -> None:
    from concurrent.futures import ThreadPoolExecutor

    catalogue = Catalogue([_item(f"C{i}", f"事项{i}许可") for i in range(300)])
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda q: len(catalogue.search(q, limit=500)), ["sx", "许可", "C1", "xk"]))
    assert results == [300, 300, 111, 300]
