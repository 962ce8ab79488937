"""The [review] section: reasons as a list from TOML or one string from the environment, and its checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from hallclient.config import Config, ConfigError, describe, load_config


def test_defaults() -> None:
    r = Config().review
    assert (r.screen, r.timeout_s, r.rectification_days) == (-1, 90, 15)
    assert r.bad_reasons[0] == "等候时间过长" and r.url_template == "case={case_no};q={query_code}"


def test_a_toml_list_and_an_environment_string_both_give_the_reasons(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[review]\nbad_reasons = ["窗口人员离岗", "其他"]\nrectification_days = 5\nscreen = 2\n'
        'url_template = "https://hcp.example.gov.cn/r?case={case_no}&q={query_code}"\n',
        encoding="utf-8",
    )
    cfg = load_config(path, env={})
    assert cfg.review.bad_reasons == ("窗口人员离岗", "其他")
    assert (cfg.review.rectification_days, cfg.review.screen) == (5, 2)
    env = load_config(path, env={"HALLCLIENT_REVIEW_BAD_REASONS": "等候时间过长、 服务态度不好 ,其他"})
    assert env.review.bad_reasons == ("等候时间过长", "服务态度不好", "其他")
    assert ("review.bad_reasons", "等候时间过长、服务态度不好、其他") in describe(env)


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("review.bad_reasons", [], "至少需要一项"),
        ("review.bad_reasons", 3, "字符串列表"),
        ("review.rectification_days", 0, "正整数"),
        ("review.timeout_s", 1, "至少为5秒"),
        ("review.url_template", "https://x.example.gov.cn/r?case={case_no}", "{query_code}"),
    ],
)
def test_wrong_values_are_refused_in_chinese(key: str, value: object, words: str) -> None:
    with pytest.raises(ConfigError, match=words.replace("{", r"\{").replace("}", r"\}")):
        Config().with_overrides({key: value})
