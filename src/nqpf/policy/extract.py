r"""Extraction from Chinese policy text: quantities, targets, industries named, measures.

Rules over sentences, no model download. A document is split into sentences at
``。！？；;!?`` and line breaks, and sentences into clauses at ``，,：:``. In each clause:

* **from–to** statements ``(从|由)[YYYY年的]A[unit] …(到|至)[YYYY年的]B unit`` give one item
  with ``base_value``/``base_year`` → ``value``/``year`` (``comparison = "from_to"``);
  "研发投入强度从2020年的2.41%提高到2024年的2.69%" → 2.41 % (2020) → 2.69 % (2024). A
  from–to clause without years takes those of the previous one in the sentence
  ("…从6.01%提高到6.88%" after "…从2020年的1467亿元增至2024年的2500亿元").
* every other number with a unit (years ``YYYY年`` are not quantities) is read with the verb
  just before it: ``达到/达/增至/提高到/升至`` → ``reach``; ``超过/突破/高达`` → ``above``;
  ``增长/提高/提升/上涨/涨幅/增加`` → ``increase``; ``下降/降低/减少`` → ``decrease``;
  none → ``level``; and the qualifier after it: ``左右`` → ``approx``, ``以上`` →
  ``at_least``, ``以内/以下`` → ``at_most``, ``余/多`` → ``more_than``; a range
  ``6.5%－7%`` → ``range`` with its lower bound as the value. Numbers listed after
  ``分别`` (``7.9%、8.7%``) share the verb; subjects listed with ``、`` are paired with them.
* the **subject** is the clause text before the verb (a leading 我国/全国/其中/累计/共 is
  dropped; a subject starting with 占 — a share — is prefixed by the previous subject); it
  is mapped to an indicator id by the longest phrase it contains, among the headline rules
  below (GDP growth, CPI, new urban jobs, …) and the catalog's indicator names and aliases.
* a quantity is a **target** when its sentence looks ahead: it names a year after the
  document's year, or opens a clause with 到YYYY年 (by 2030), or says 目标/力争/确保; or when it stands in a government work
  report's statement of goals (from 目标是/目标为/目标： to the end of the paragraph, or of
  the next one when the statement ends with a colon). A target without a year gets the
  document's year, unless its sentence is about several years (年均, 五年, 十四五 without
  今年).
* **industries named**: jieba tokens of the sentence (with NQPF's dictionary) that are a
  field name or alias of :mod:`nqpf.policy.fields`.
* **measures**: sentences with a policy verb (推动, 加快, 支持, 培育, 布局, …) mapped to the
  article's pillars (tech, industry, digital, green, talent, openness) by keywords.

``basis`` says why a target is one: ``goal`` (a goal statement), ``ahead`` (a later
year), ``word`` (目标/力争/确保). Every item keeps its sentence number and the character offsets (``start``/``end``, and
``sentence_start``/``sentence_end``) into the text, so ``text[start:end] == phrase``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import Any, Literal

import pandas as pd

from nqpf.policy.headlines import HEADLINE_RULES, HeadlineRule

__all__ = [
    "HEADLINE_RULES",
    "ITEM_COLUMNS",
    "PILLAR_KEYWORDS",
    "HeadlineRule",
    "cn_number",
    "extract",
    "sentences",
]

Kind = Literal["quantity", "target", "industry", "measure"]

ITEM_COLUMNS = [
    "kind",
    "sentence_no",
    "sentence_start",
    "sentence_end",
    "start",
    "end",
    "phrase",
    "subject",
    "indicator",
    "value",
    "unit",
    "year",
    "base_value",
    "base_year",
    "comparison",
    "basis",
    "industry",
    "pillar",
]


PILLAR_KEYWORDS: dict[str, tuple[str, ...]] = {
    "tech": (
        "科技创新",
        "研发",
        "基础研究",
        "原始创新",
        "关键核心技术",
        "实验室",
        "成果转化",
        "科技成果",
        "创新平台",
        "概念验证",
        "中试",
    ),
    "industry": (
        "产业链",
        "制造业",
        "产业体系",
        "产业集群",
        "新兴产业",
        "未来产业",
        "传统产业",
        "产业升级",
        "产业创新",
        "专精特新",
    ),
    "digital": (
        "数字",
        "数智",
        "人工智能",
        "5G",
        "数据",
        "算力",
        "工业互联网",
        "智能制造",
        "信息化",
    ),
    "green": ("绿色", "低碳", "节能", "减排", "环保", "能耗", "碳达峰", "碳中和", "生态", "污染"),
    "talent": ("人才", "教育", "高校", "学科", "技能", "科学家", "工程师"),
    "openness": (
        "改革",
        "体制机制",
        "开放",
        "营商环境",
        "市场准入",
        "要素市场",
        "科技金融",
        "国际合作",
        "知识产权",
    ),
}
_MEASURE_VERBS = re.compile(
    r"推动|推进|加快|支持|培育|布局|建设|完善|深化|实施|强化|健全|打造|促进|引导|鼓励|发展|提升|优化"
)

_UNITS = (
    "万亿元|亿元|万元|元|万人次|万人|亿人|万个|万家|万辆|万套|万台|亿斤|万吨|亿吨|吨|"
    "万千瓦|亿千瓦|千瓦|个百分点|%|％|个|家|项|人|台|所|公里|倍|件|篇|座|条"
)
_NUM = r"\d+(?:\.\d+)?"
# Chinese numerals (一千二百万, 两, 零点五); matched lazily so that 三千万人 reads as 3000
# 万人 like 3000万人, and kept only where :func:`_cn_ok` allows.
_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_CN_DIGITS |= {"六": 6, "七": 7, "八": 8, "九": 9}
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
_CN = "[〇零一二两三四五六七八九十百千万亿点]"
_NUMX = rf"(?:{_NUM}|{_CN}+?)"
_FROM_TO = re.compile(
    rf"(?:从|由)(?:(?P<y0>\d{{4}})年的?)?(?P<v0>{_NUMX})(?P<u0>{_UNITS})?"
    rf"[^\d，,；;。]{{0,4}}?(?:到|至)(?:(?P<y1>\d{{4}})年的?)?(?P<v1>{_NUMX})(?P<u1>{_UNITS})"
)
_QUANTITY = re.compile(
    rf"(?P<pre>近|约|超)?(?:百分之(?P<pct>{_NUM}|{_CN}+)|(?P<v>{_NUMX})(?P<mid>余|多)?"
    rf"(?P<u>{_UNITS}))(?:[－—~～-](?P<hi>{_NUM})(?P=u))?(?P<post>左右|以上|以内|以下|余|多)?"
)
# Measure words that a bare small Chinese numeral turns into a phrase, not a statistic
# (一个, 五个坚持, 两项): with them a Chinese numeral needs 十/百/千/万/亿.
_CN_GENERIC_UNITS = frozenset("个家项人台所件篇座条元吨") | {"公里", "千瓦"}
_YEAR = re.compile(r"(\d{4})年")
_BY_YEAR = re.compile(r"(?:^|[，,。；;\s])(?:到|至)\d{4}年")
_SENTENCE_END = re.compile(r"[。！？；;!?\n]")
_CLAUSE_END = re.compile(r"[，,：:]")
_VERBS: tuple[tuple[str, str], ...] = (
    ("提高到", "reach"),
    ("提升到", "reach"),
    ("提高至", "reach"),
    ("提升至", "reach"),
    ("增长到", "reach"),
    ("增加到", "reach"),
    ("下降到", "reach"),
    ("降低到", "reach"),
    ("控制在", "reach"),
    ("达到", "reach"),
    ("增至", "reach"),
    ("升至", "reach"),
    ("降至", "reach"),
    ("达", "reach"),
    ("超过", "above"),
    ("突破", "above"),
    ("高达", "above"),
    ("增长", "increase"),
    ("提高", "increase"),
    ("提升", "increase"),
    ("上涨", "increase"),
    ("涨幅", "increase"),
    ("增加", "increase"),
    ("下降", "decrease"),
    ("降低", "decrease"),
    ("减少", "decrease"),
)
_QUALIFIERS = {
    "左右": "approx",
    "以上": "at_least",
    "以内": "at_most",
    "以下": "at_most",
    "余": "more_than",
    "多": "more_than",
}
_PREFIXES = ("我国", "全国", "其中", "累计", "共", "今年", "全年", "力争", "预计")
_TARGET_WORDS = re.compile(r"目标|力争|确保")
_GOAL_PARAGRAPH = re.compile(r"目标(?:是|为|：|:)")
# Multi-year statements (a five-year plan's 年均 targets) are not this year's targets.
_MULTI_YEAR = re.compile(r"年均|五年|十[一二三四五六]五")


def cn_number(text: str) -> float:
    """The value of a number in Arabic or Chinese numerals.

    >>> cn_number("一万亿"), cn_number("三千万"), cn_number("两千三百零五"), cn_number("零点五")
    (1000000000000.0, 30000000.0, 2305.0, 0.5)
    """
    if re.fullmatch(_NUM, text):
        return float(text)
    if not text or any(
        c not in _CN_DIGITS and c not in _CN_SMALL and c not in "万亿点" for c in text
    ):
        raise ValueError(f"not a number: {text!r}")
    whole, _, fraction = text.partition("点")
    value = float(_cn_integer(whole)) if whole else 0.0
    if fraction:
        value += float("0." + "".join(str(_CN_DIGITS[c]) for c in fraction))
    return value


def _cn_integer(text: str) -> int:
    if all(c in _CN_DIGITS for c in text):  # 二〇二五: digit by digit
        return int("".join(str(_CN_DIGITS[c]) for c in text))
    total = section = digit = 0
    for c in text:
        if c in _CN_DIGITS:
            digit = _CN_DIGITS[c]
        elif c in _CN_SMALL:
            section += (digit or 1) * _CN_SMALL[c]
            digit = 0
        elif c == "万":
            total += (section + digit) * 10_000
            section = digit = 0
        else:  # 亿 multiplies everything before it (一万亿 = 10^12)
            total = (total + section + digit) * 100_000_000
            section = digit = 0
    return total + section + digit


def _cn_ok(numeral: str, unit: str | None, before: str) -> bool:
    """Whether a Chinese numeral is a statistic: it has a digit or starts with 十 (not
    千家万户), is not an ordinal (第十四个) and, before a measure word, has a magnitude."""
    if re.fullmatch(_NUM, numeral):
        return True
    if before.endswith("第") or not (numeral[0] == "十" or any(c in _CN_DIGITS for c in numeral)):
        return False
    if unit in _CN_GENERIC_UNITS:
        return any(c in "十百千万亿" for c in numeral)
    return True


def sentences(text: str) -> Iterator[tuple[int, int, int]]:
    """``(sentence_no, start, end)`` of every non-empty sentence (end exclusive)."""
    start = 0
    number = 0
    for match in [*_SENTENCE_END.finditer(text), None]:
        end = match.end() if match else len(text)
        stripped_start = start
        while stripped_start < end and text[stripped_start].isspace():
            stripped_start += 1
        stop = end - 1 if match and match.group() == "\n" else end
        if text[stripped_start:stop].strip():
            yield number, stripped_start, stop
            number += 1
        start = end


def extract(
    text: str,
    *,
    year: int | None = None,
    doc_type: str = "policy",
    kinds: tuple[Kind, ...] = ("quantity", "target", "industry", "measure"),
) -> pd.DataFrame:
    """Items found in ``text`` (columns :data:`ITEM_COLUMNS`), in text order.

    ``year`` is the document's year (targets without a year take it; "ahead" means after
    it); ``doc_type="work_report"`` turns on the goal-paragraph rule.
    """
    rows: list[dict[str, Any]] = []
    paragraph_goal = _goal_paragraphs(text) if doc_type == "work_report" else []
    matcher = _IndicatorMatcher.get()
    want_numbers = "quantity" in kinds or "target" in kinds
    for number, s_start, s_end in sentences(text):
        sentence = text[s_start:s_end]
        base = {"sentence_no": number, "sentence_start": s_start, "sentence_end": s_end}
        if want_numbers:
            in_goal = any(a <= s_start < b for a, b in paragraph_goal)
            for item in _numbers(sentence, year, in_goal, matcher):
                if item["kind"] in kinds:
                    item["start"] += s_start
                    item["end"] += s_start
                    rows.append({**base, **item})
        if "industry" in kinds:
            rows += [{**base, **item} for item in _industries(sentence, s_start)]
        if "measure" in kinds and _MEASURE_VERBS.search(sentence):
            for pillar, words in PILLAR_KEYWORDS.items():
                if any(w in sentence for w in words):
                    rows.append(
                        {
                            **base,
                            "kind": "measure",
                            "start": s_start,
                            "end": s_end,
                            "phrase": sentence,
                            "pillar": pillar,
                        }
                    )
    frame = pd.DataFrame(rows, columns=ITEM_COLUMNS)
    for column in ("year", "base_year"):
        frame[column] = frame[column].astype("Int64")
    return frame.sort_values(["start", "kind"], kind="stable", ignore_index=True)


def _goal_paragraphs(text: str) -> list[tuple[int, int]]:
    """Spans from a 预期目标 statement to the end of its paragraph, and over the next
    paragraph when the statement ends with a colon (今年…主要预期目标是：⏎…)."""
    spans = []
    offset = 0
    lines = text.split("\n")
    for number, line in enumerate(lines):
        found = _GOAL_PARAGRAPH.search(line)
        if found:
            end = offset + len(line)
            if line.rstrip().endswith(("：", ":")) and number + 1 < len(lines):
                end += 1 + len(lines[number + 1])
            spans.append((offset + found.start(), end))
        offset += len(line) + 1
    return spans


def _numbers(
    sentence: str, doc_year: int | None, in_goal: bool, matcher: _IndicatorMatcher
) -> list[dict[str, Any]]:
    ahead = bool(_BY_YEAR.search(sentence)) or (
        doc_year is not None and any(int(y) > doc_year for y in _YEAR.findall(sentence))
    )
    basis = "ahead" if ahead else "word" if _TARGET_WORDS.search(sentence) else None
    this_year = not _MULTI_YEAR.search(sentence) or "今年" in sentence
    items: list[dict[str, Any]] = []
    previous_subject: str | None = None
    last_years: tuple[int | None, int | None] = (None, None)
    clause_start = 0
    for match in [*_CLAUSE_END.finditer(sentence), None]:
        clause_end = match.start() if match else len(sentence)
        clause = sentence[clause_start:clause_end]
        clause_items, previous_subject, last_years = _clause_numbers(
            clause, clause_start, previous_subject, last_years
        )
        for item in clause_items:
            if item["year"] is None:  # a year stated earlier in the sentence (到2030年，…)
                years = _YEAR.findall(sentence, 0, item["start"])
                item["year"] = int(years[-1]) if years else None
            item["basis"] = "goal" if in_goal else basis
            is_target = item["basis"] is not None
            item["kind"] = "target" if is_target else "quantity"
            if is_target and item["year"] is None and this_year:
                item["year"] = doc_year
            qualifier = item.pop("comparison_qualifier")
            if qualifier:
                item["comparison"] = f"{item['comparison']}:{qualifier}"
            item["indicator"] = matcher.match(f"{item['subject']}{item.pop('verb')}")
            items.append(item)
        clause_start = clause_end + 1
    return items


def _clause_numbers(
    clause: str,
    offset: int,
    previous_subject: str | None,
    last_years: tuple[int | None, int | None],
) -> tuple[list[dict[str, Any]], str | None, tuple[int | None, int | None]]:
    items: list[dict[str, Any]] = []
    taken: list[tuple[int, int]] = []
    for m in _FROM_TO.finditer(clause):
        if not (
            _cn_ok(m["v0"], m["u0"] or m["u1"], clause[: m.start()])
            and _cn_ok(m["v1"], m["u1"], "")
        ):
            continue
        subject = _subject(clause[: m.start()], previous_subject)
        y0 = int(m["y0"]) if m["y0"] else last_years[0]
        y1 = int(m["y1"]) if m["y1"] else last_years[1]
        last_years = (y0, y1)
        items.append(
            _item(
                clause,
                offset,
                m.start(),
                m.end(),
                subject=subject,
                verb="",
                value=cn_number(m["v1"]),
                unit=m["u1"],
                year=y1,
                base_value=cn_number(m["v0"]),
                base_year=y0,
                comparison="from_to",
                qualifier=None,
            )
        )
        taken.append((m.start(), m.end()))
        previous_subject = subject
    listed: list[dict[str, Any]] = []
    own_subject = ""
    previous_parts = _parts(previous_subject)
    last_end = max((b for _, b in taken), default=0)
    for m in _QUANTITY.finditer(clause):
        if any(a <= m.start() < b for a, b in taken):
            continue
        if clause[m.end() : m.end() + 1] == "年":
            continue
        numeral = m["v"] or m["pct"]
        if not _cn_ok(numeral, m["u"], clause[: m.start()]):
            continue
        before = clause[last_end : m.start()]
        last_end = m.end()
        if listed and before in ("、", "和"):
            first = listed[0]
            subject, verb, comparison = first["subject"], first["verb"], first["comparison"]
        else:
            verb, comparison = _verb(before)
            own_subject = _trim(before[: len(before) - len(verb)])
            subject = _subject(before[: len(before) - len(verb)], previous_subject)
        year_match = list(_YEAR.finditer(clause[: m.start()]))
        item = _item(
            clause,
            offset,
            m.start(),
            m.end(),
            subject=subject,
            verb=verb,
            value=cn_number(numeral),
            unit=m["u"] or "%",
            year=int(year_match[-1].group(1)) if year_match else None,
            base_value=None,
            base_year=None,
            comparison="above" if m["pre"] == "超" else comparison,
            qualifier=("range" if m["hi"] else None)
            or _QUALIFIERS.get(m["post"] or m["mid"] or "")
            or ("nearly" if m["pre"] == "近" else None),
        )
        listed.append(item)
        items.append(item)
        previous_subject = subject
    if len(listed) > 1 and "分别" in clause:
        parts = _parts(own_subject)
        if own_subject.startswith("占") and len(previous_parts) == len(listed):
            parts = [part + own_subject for part in previous_parts]
        if len(parts) == len(listed):
            for item, part in zip(listed, parts, strict=True):
                item["subject"] = part
        previous_subject = own_subject if len(parts) == len(listed) else previous_subject
    return items, previous_subject, last_years


def _parts(subject: str | None) -> list[str]:
    """The subjects of a list ``A、B和C`` (one element when there is no list)."""
    return [p for p in re.split("[、和]", subject or "") if p]


def _item(
    clause: str,
    offset: int,
    start: int,
    end: int,
    *,
    subject: str,
    verb: str,
    value: float,
    unit: str | None,
    year: int | None,
    base_value: float | None,
    base_year: int | None,
    comparison: str,
    qualifier: str | None,
) -> dict[str, Any]:
    # The phrase runs from the subject's start to the end of the number.
    subject_at = clause.rfind(subject, 0, start) if subject else -1
    verb_at = clause.rfind(verb, 0, start) if verb else -1
    phrase_start = subject_at if subject_at >= 0 else verb_at if verb_at >= 0 else start
    return {
        "start": offset + phrase_start,
        "end": offset + end,
        "phrase": clause[phrase_start:end],
        "subject": subject,
        "verb": verb,
        "value": value,
        "unit": "%" if unit == "％" else unit,
        "year": year,
        "base_value": base_value,
        "base_year": base_year,
        "comparison": comparison,
        "comparison_qualifier": qualifier,
        "industry": None,
        "pillar": None,
    }


def _verb(before: str) -> tuple[str, str]:
    tail = before.rstrip("了的为")
    trimmed = len(before) - len(tail)
    for word, comparison in sorted(_VERBS, key=lambda vc: -len(vc[0])):
        if tail.endswith(word):
            return before[len(before) - trimmed - len(word) :], comparison
    for word, comparison in _VERBS:
        at = tail.rfind(word)
        if at >= 0 and len(tail) - at - len(word) <= 4:
            return before[at:], comparison
    return "", "level"


def _trim(text: str) -> str:
    """A clause's subject without quotes, a leading year, 我国/全国/…, trailing 分别/年均/同比."""
    subject = text.strip(' 　“”"、')
    subject = re.sub(r"^(?:\d{4}年(?:上半年|下半年|以来)?)", "", subject)
    changed = True
    while changed:
        changed = False
        for prefix in _PREFIXES:
            if subject.startswith(prefix) and len(subject) > len(prefix):
                subject = subject[len(prefix) :]
                changed = True
    return re.sub(r"(?:分别|年均|同比|累计)+$", "", subject)


def _subject(text: str, previous: str | None) -> str:
    """:func:`_trim`; a share (占…) or an empty subject continues the previous subject."""
    subject = _trim(text)
    if previous and (subject.startswith("占") or not subject):
        subject = previous + subject
    return subject


def _industries(sentence: str, offset: int) -> list[dict[str, Any]]:
    """Field names among the sentence's jieba words. A regular expression of all names
    picks the sentences worth segmenting; jieba then keeps only whole words (量子 is not
    found inside 量子力学)."""
    from nqpf.policy.fields import field_aliases
    from nqpf.policy.segment import tokenizer

    if not _field_pattern().search(sentence):
        return []
    names = field_aliases()
    rows = []
    position = 0
    for word in tokenizer().cut(sentence, HMM=False):
        start = position
        position += len(word)
        field = names.get(word.lower())
        if field is None:
            continue
        rows.append(
            {
                "kind": "industry",
                "start": offset + start,
                "end": offset + position,
                "phrase": word,
                "industry": field,
            }
        )
    return rows


@cache
def _field_pattern() -> re.Pattern[str]:
    from nqpf.policy.fields import field_aliases

    words = sorted(field_aliases(), key=lambda w: (-len(w), w))
    return re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)


class _IndicatorMatcher:
    """Longest-phrase match of a subject to a headline rule or catalog indicator."""

    _instance: _IndicatorMatcher | None = None

    def __init__(self) -> None:
        from nqpf.indicators import indicator_specs

        phrases: dict[str, str] = {}
        for spec in indicator_specs().values():
            for name in (spec.name_zh, *spec.aliases):
                if re.search(r"[\u4e00-\u9fff]", name):
                    phrases.setdefault(name, spec.id)
        for rule in HEADLINE_RULES:
            for word in rule.words:
                phrases[word] = rule.id
        # A phrase followed by 的/贡献 modifies another noun (经济增长的贡献率 is not growth).
        self.phrases = [
            (re.compile(re.escape(p) + "(?!的|贡献)"), i)
            for p, i in sorted(phrases.items(), key=lambda kv: (-len(kv[0]), kv[0]))
        ]

    @classmethod
    def get(cls) -> _IndicatorMatcher:
        if cls._instance is None:
            cls._instance = cls()
        return cls._instance

    def match(self, claim: str) -> str | None:
        for phrase, indicator_id in self.phrases:
            if phrase.search(claim):
                return indicator_id
        return None
