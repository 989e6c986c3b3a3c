"""The name step's catalogue of industry terms (行业表述) and the search that reaches every one of them by
pinyin typed on the on-screen keyboard (full syllables, initials, or a mix: ``keji``, ``kj``, ``kej``).

A company name is region + trade name + industry + legal form (《企业名称登记管理规定》 art. 6); the
terms below are those of the city's register (every industry of the sample register, the most used
first), so what the citizen finds is what a registrar expects to read.
"""

from __future__ import annotations

from functools import lru_cache

INDUSTRIES: tuple[str, ...] = (
    "科技", "贸易", "餐饮", "信息技术", "文化传媒", "建筑工程", "农业发展", "物流", "咨询服务", "电子商务",
    "商贸", "实业", "网络科技", "五金制品", "水产", "餐饮管理", "食品", "装饰工程", "工贸", "刀剪",
    "物业管理", "厨具", "运输", "广告", "企业管理咨询", "海产品", "新能源", "生物科技", "服饰", "电力工程",
    "家具", "环保科技", "酒店管理", "水产养殖", "机械设备", "园林绿化", "教育咨询", "汽车服务", "房地产开发",
    "健康管理", "塑料制品", "供应链管理", "船舶", "模具", "人力资源", "包装", "印刷", "医药", "会展服务",
    "旅游开发", "茶业",
)


@lru_cache(maxsize=1024)
def reading(word: str) -> tuple[str, ...]:
    """The word's syllables without tones (phrase-aware: 重 in 重工 reads zhong)."""
    from pypinyin import Style, lazy_pinyin

    return tuple(s.lower().replace("ü", "v") for s in lazy_pinyin(word, style=Style.NORMAL))


def _covers(letters: str, syllables: tuple[str, ...]) -> bool:
    """``letters`` read as beginnings of consecutive syllables, every letter used (kj, keji, kej → ke ji)."""
    if not letters:
        return True
    if not syllables:
        return False
    first = syllables[0]
    return any(letters[:n] == first[:n] and _covers(letters[n:], syllables[1:])
               for n in range(min(len(first), len(letters)), 0, -1))


def matches(word: str, query: str) -> bool:
    """Chinese typed: a part of the word; letters: pinyin from any syllable of it on."""
    query = "".join(query.split()).lower().replace("'", "")
    if not query:
        return True
    if not query.isascii():
        return query in word
    if not query.isalpha():
        return False
    syllables = reading(word)
    return any(_covers(query, syllables[i:]) for i in range(len(syllables)))


def search_industries(query: str, catalogue: tuple[str, ...] = INDUSTRIES) -> list[str]:
    """The terms matching ``query``: those it begins first, then those it matches inside, catalogue order."""
    found = [w for w in catalogue if matches(w, query)]
    q = "".join(query.split()).lower()
    starts = [w for w in found if q and (w.startswith(q) or _covers(q, reading(w)))]
    return starts + [w for w in found if w not in starts]


def full_name(region: str, trade: str, industry: str, form: str) -> str:
    """The name as the licence prints it (what the platform registers as ``name.full``)."""
    return f"{region}{trade.strip()}{industry}{form}"
