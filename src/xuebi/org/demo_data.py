"""Demo data for xuebi: the unit tree of 锡林郭勒盟 and a deterministic roster (花名册).

Pure Python on purpose: no Django models, no database. A loader elsewhere turns
``UNITS`` into ``Unit`` rows and each person dict into a ``Person`` row.

* ``UNITS``: the root node (盟委组织部); every node is
  ``{"name", "short_name", "kind", "code", "children"}``. ``code`` is the
  GB/T 2260 code of departments and empty for 科室/党支部.
* ``iter_units()``: yields ``(path, node)`` for every node, path a tuple of names.
* ``generate_people(seed=2021, count=400)``: ``count`` person dicts, the first
  one being ``DEMO_PEOPLE["cadre"]`` (巴依斯古楞).
* ``id_check_char(first17)``: GB 11643 check character.
* ``county_of(unit_path)``: the county department's name, or None for league units.

Everything is reproducible: one ``random.Random(seed)`` and the fixed reference
date ``REFERENCE_DATE``; the current date is never read.
"""

from __future__ import annotations

import datetime as dt
import random

REFERENCE_DATE = dt.date(2026, 1, 1)
LEAGUE_CODE = "1525"
LEAGUE_ADDRESS_CODE = "152502"  # league staff get 锡林浩特市 (the seat) in their 身份证号

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of a 身份证号's first 17 digits."""
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS)) % 11]


def _id_number(address: str, birth: dt.date, seq: int) -> str:
    first17 = f"{address}{birth:%Y%m%d}{seq:03d}"
    return first17 + id_check_char(first17)


# ---------------------------------------------------------------- unit tree

ROOT_NAME = "锡林郭勒盟委组织部"
# (name, roster weight) — weights split the league's share of the roster.
_LEAGUE_SECTIONS = (
    ("办公室", 8),
    ("组织科", 9),
    ("干部科", 9),
    ("干部监督科", 6),
    ("人才科", 6),
    ("公务员科", 6),
    ("干部教育科", 5),
    ("组织员办公室", 6),
    ("党员教育中心", 5),
)
# (department, short name, GB/T 2260 code, sections, roster weight)
_COUNTIES = (
    ("锡林浩特市委组织部", "锡林浩特市", "152502", ("办公室", "组织股", "干部股", "人才股", "公务员股"), 35),
    ("二连浩特市委组织部", "二连浩特市", "152501", ("办公室", "组织室", "干部室", "人才室"), 26),
    ("阿巴嘎旗委组织部", "阿巴嘎旗", "152522", ("办公室", "组织股", "干部股", "人才股"), 24),
    ("苏尼特左旗委组织部", "苏尼特左旗", "152523", ("办公室", "组织股", "干部股"), 24),
    ("苏尼特右旗委组织部", "苏尼特右旗", "152524", ("办公室", "组织股", "干部股", "公务员股"), 25),
    ("东乌珠穆沁旗委组织部", "东乌珠穆沁旗", "152525", ("办公室", "组织股", "干部股", "人才股", "公务员股"), 28),
    ("西乌珠穆沁旗委组织部", "西乌珠穆沁旗", "152526", ("办公室", "组织室", "干部室", "人才室"), 27),
    ("太仆寺旗委组织部", "太仆寺旗", "152527", ("办公室", "组织股", "干部股", "人才股"), 26),
    ("镶黄旗委组织部", "镶黄旗", "152528", ("办公室", "组织股", "干部股"), 20),
    ("正镶白旗委组织部", "正镶白旗", "152529", ("办公室", "组织股", "干部股"), 21),
    ("正蓝旗委组织部", "正蓝旗", "152530", ("办公室", "组织股", "干部股", "人才股"), 25),
    ("多伦县委组织部", "多伦县", "152531", ("办公室", "组织股", "干部股", "公务员股"), 24),
    ("乌拉盖管理区党工委组织部", "乌拉盖管理区", "152571", ("综合室", "组织室", "干部人才室"), 20),
)
_LEAGUE_WEIGHT = 64  # ≈ 60 in the sections + the 4 部领导 on the root node, for count=400
# Names people use in speech and in older spreadsheets ("西苏旗 in the seed is 苏尼特右旗").
COUNTY_ALIASES = {"东苏旗": "苏尼特左旗", "西苏旗": "苏尼特右旗", "东乌旗": "东乌珠穆沁旗", "西乌旗": "西乌珠穆沁旗"}


def _node(name, kind, code="", short_name="", children=()):
    return {"name": name, "short_name": short_name or name, "kind": kind, "code": code, "children": list(children)}


def _sections_and_branch(names):
    return [_node(n, "section") for n in names] + [_node("机关党支部", "branch")]


UNITS = _node(
    ROOT_NAME,
    "league_dept",
    LEAGUE_CODE,
    "盟委组织部",
    _sections_and_branch(n for n, _ in _LEAGUE_SECTIONS)
    + [_node(name, "county_dept", code, short, _sections_and_branch(secs)) for name, short, code, secs, _ in _COUNTIES],
)


def iter_units(node=None, parent=()):
    """Yield (path, node) depth-first, path being the tuple of names from the root."""
    node = node or UNITS
    path = parent + (node["name"],)
    yield path, node
    for child in node["children"]:
        yield from iter_units(child, path)


# ---------------------------------------------------------------- names

# Mongolian names (no surname) = head + tail, or a one-part name. Gendered.
_MN_M_HEADS = (
    "额尔敦",
    "宝音",
    "阿拉坦",
    "哈斯",
    "特木尔",
    "孟和",
    "巴图",
    "乌力吉",
    "查干",
    "敖其尔",
    "呼和",
    "巴雅尔",
    "朝鲁",
    "毕力格",
    "那顺",
    "吉日嘎拉",
)
_MN_M_TAILS = (
    "巴雅尔",
    "巴特尔",
    "朝鲁",
    "毕力格",
    "德力格尔",
    "巴根",
    "仓",
    "图",
    "苏和",
    "孟和",
    "吉日嘎拉",
    "达来",
    "那顺",
    "宝力道",
)
_MN_M_SINGLE = ("苏和", "图门", "朝鲁门", "格日乐图", "巴特尔", "毕力格图", "额尔德木图", "斯日古楞")
_MN_F_HEADS = ("斯琴", "萨仁", "乌云", "那仁", "阿拉坦", "乌兰", "额尔敦", "敖登", "格根", "哈斯", "乌仁", "诺敏")
_MN_F_TAILS = ("高娃", "其其格", "图雅", "格日勒", "塔娜", "其木格")
_MN_F_SINGLE = (
    "乌日娜",
    "其其格",
    "乌兰",
    "托娅",
    "图雅",
    "塔娜",
    "乌云",
    "苏日娜",
    "萨日娜",
    "其木格",
    "阿茹娜",
    "萨如拉",
    "诺敏",
    "娜日苏",
    "乌日汗",
)
_SURNAMES = (
    "王 李 张 刘 陈 杨 赵 黄 周 吴 徐 孙 马 朱 胡 郭 何 高 林 罗 郑 梁 谢 宋 唐 许 韩 冯 邓 曹 "
    "彭 曾 肖 田 董 袁 潘 于 蒋 蔡 余 杜 叶 程 苏 魏 吕 丁 任 沈 姚 卢 姜 崔 钟 谭 陆 汪 范 金 "
    "石 廖 贾 夏 韦 付 方 白 邹 孟 熊 秦 邱 江 尹 薛 闫 段 雷 侯 龙 史 陶 黎 贺 顾 毛 郝 龚 邵 "
    "万 钱 严 覃 武 戴 莫 孔 向 汤 常 温 康 施 牛 樊 葛 邢 安 齐 乔"
).split()
# Common surnames are much more common: weight ~ 1/(rank + 8).
_SURNAME_WEIGHTS = [1 / (i + 8) for i in range(len(_SURNAMES))]
_HAN_M_CHARS = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆旭宁龙林峰建国志文海东亮成振晓永锋瑞"
_HAN_F_CHARS = "芳娜敏静丽艳娟霞燕玲婷颖雪慧洁琳萍红梅莉丹倩佳悦欣蕾月晶秀英璐瑶薇"


def _make_name(rng: random.Random, sex: str) -> tuple[str, bool]:
    """A name and whether it is Mongolian (~40%)."""
    if rng.random() < 0.4:
        heads, tails, singles = (
            (_MN_M_HEADS, _MN_M_TAILS, _MN_M_SINGLE) if sex == "M" else (_MN_F_HEADS, _MN_F_TAILS, _MN_F_SINGLE)
        )
        if rng.random() < 0.2:
            return rng.choice(singles), True
        head = rng.choice(heads)
        tail = rng.choice([t for t in tails if t != head])  # no 巴雅尔巴雅尔
        return head + tail, True
    chars = _HAN_M_CHARS if sex == "M" else _HAN_F_CHARS
    given = rng.choice(chars) if rng.random() < 0.35 else rng.choice(chars) + rng.choice(chars)
    return rng.choices(_SURNAMES, _SURNAME_WEIGHTS)[0] + given, False


# ---------------------------------------------------------------- positions and ranks

# 职级, lowest first; positions map to a band of this ladder.
RANKS = (
    "二级科员",
    "一级科员",
    "四级主任科员",
    "三级主任科员",
    "二级主任科员",
    "一级主任科员",
    "四级调研员",
    "三级调研员",
    "二级调研员",
    "一级调研员",
)
_LEADERS = {"league": ("部长", "常务副部长", "副部长", "副部长"), "county": ("部长", "常务副部长", "副部长")}
# position → ((league band), (county band)) as indexes into RANKS
_RANK_BANDS = {
    "部长": ((8, 9), (6, 7)),
    "常务副部长": ((7, 8), (5, 6)),
    "副部长": ((6, 8), (4, 6)),
    "head": ((4, 7), (2, 5)),
    "deputy": ((3, 5), (2, 4)),
    "staff": ((0, 5), (0, 4)),
}
# position → (youngest, oldest) age at REFERENCE_DATE
_AGE_BANDS = {"部长": (45, 56), "常务副部长": (42, 55), "副部长": (38, 54), "head": (33, 55), "deputy": (29, 50)}


def _section_titles(section: str) -> tuple[str, str, str]:
    """(head, deputy, staff) titles: 科 → 科长, 股 → 股长, 室/中心 → 主任."""
    if section.endswith("科"):
        return "科长", "副科长", "科员"
    if section.endswith("股"):
        return "股长", "副股长", "科员"
    return "主任", "副主任", "组织员" if section == "组织员办公室" else "科员"


def _apportion(total: int, weights) -> list[int]:
    """Split total proportionally to weights (largest remainder, ties to the earlier one)."""
    weights = list(weights)
    whole = sum(weights)
    shares = [divmod(total * w, whole) for w in weights]
    counts = [q for q, _ in shares]
    order = sorted(range(len(weights)), key=lambda i: (-shares[i][1], i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _plan_slots(count: int) -> list[tuple[tuple[str, ...], str, str, str]]:
    """(unit_path, position, band key, level) for every person, in tree order."""
    depts = [((ROOT_NAME,), _LEAGUE_SECTIONS, "league", _LEAGUE_WEIGHT)]
    for name, _, _, secs, weight in _COUNTIES:
        # 办公室 and the 组织 section are a little bigger than the others
        sec_weights = tuple((s, 3 if s in ("办公室", "综合室") or s.startswith("组织") else 2) for s in secs)
        depts.append(((ROOT_NAME, name), sec_weights, "county", weight))
    slots = []
    for (path, sections, level, _), size in zip(depts, _apportion(count, [d[3] for d in depts])):
        leaders = _LEADERS[level][:size]  # 部领导 sit on the department node itself
        slots += [(path, title, title, level) for title in leaders]
        for (section, _), n in zip(sections, _apportion(size - len(leaders), [w for _, w in sections])):
            head, deputy, staff = _section_titles(section)
            for i in range(n):
                if i == 0:
                    slots.append((path + (section,), head, "head", level))
                elif i == 1 and n >= 4:
                    slots.append((path + (section,), deputy, "deputy", level))
                else:
                    slots.append((path + (section,), staff, "staff", level))
    return slots


# ---------------------------------------------------------------- dates


def _add_months(d: dt.date, months: int) -> dt.date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    for day in (d.day, 30, 29, 28):  # 29 Feb / 31st fall back to the month's last day
        try:
            return dt.date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _birth_for_age(rng: random.Random, age: int) -> dt.date:
    """A birth date making the person exactly `age` at REFERENCE_DATE (born 2 Jan … 31 Dec)."""
    return dt.date(REFERENCE_DATE.year - age - 1, 1, 2) + dt.timedelta(days=rng.randrange(364))


def _age_at_reference(birth: dt.date) -> int:
    ref = REFERENCE_DATE
    return ref.year - birth.year - ((ref.month, ref.day) < (birth.month, birth.day))


# ---------------------------------------------------------------- the roster

DEMO_PEOPLE = {
    "cadre": {
        "name": "巴依斯古楞",
        "sex": "M",
        "ethnicity": "蒙古族",
        "birth_date": dt.date(1987, 3, 15),
        "id_number": _id_number("152522", dt.date(1987, 3, 15), 11),
        "phone": "13847900011",
        "unit_path": (ROOT_NAME, "阿巴嘎旗委组织部", "组织股"),
        "position": "科员",
        "rank": "四级主任科员",
        "education": "bachelor",
        "political_status": "member",
        "joined_party_date": dt.date(2009, 6, 20),
        "full_member_date": dt.date(2010, 6, 20),
        "work_start_date": dt.date(2010, 8, 1),
        "is_org_cadre": True,
        "status": "active",
    },
}

_PHONE_PREFIXES = (
    "130 131 132 133 134 135 136 137 138 139 150 151 152 153 155 156 157 158 159 "
    "173 175 176 177 178 180 181 182 183 184 185 186 187 188 189 191 198 199"
).split()
_COUNTY_CODES = {name: code for name, _, code, _, _ in _COUNTIES}


def county_of(unit_path) -> str | None:
    """The county department a unit path lies in, or None for the league department's own units."""
    return unit_path[1] if len(unit_path) > 1 and unit_path[1] in _COUNTY_CODES else None


def _make_person(rng, path, position, band, level, used_names, used_ids, used_phones) -> dict:
    sex = "M" if rng.random() < 0.58 else "F"
    for _ in range(4):  # retry a few times so duplicate names stay rare, as in reality
        name, mongolian = _make_name(rng, sex)
        if name not in used_names:
            break
    used_names.add(name)
    if mongolian:
        ethnicity = rng.choices(("蒙古族", "汉族", "达斡尔族"), (94, 3, 3))[0]
    else:
        ethnicity = rng.choices(("汉族", "蒙古族", "回族", "满族", "达斡尔族"), (80, 10, 5, 4, 1))[0]

    if band == "staff":
        age = min(59, int(rng.triangular(23, 59, 30)))
        if age <= 26 and rng.random() < 0.4:
            position = "办事员"
    else:
        age = rng.randint(*_AGE_BANDS[band])
    birth = _birth_for_age(rng, age)

    lo, hi = _RANK_BANDS[band][0 if level == "league" else 1]
    rank = RANKS[max(lo, min(hi, lo + (age - 25) // 5 - rng.randint(0, 1)))]
    if position == "办事员":
        rank = RANKS[0]

    # 身份证号: address code, birth date, sequence (odd = male), check character.
    address = _COUNTY_CODES.get(county_of(path), LEAGUE_ADDRESS_CODE)
    while True:
        id_number = _id_number(address, birth, rng.randrange(1, 500) * 2 - (sex == "M"))
        if id_number not in used_ids:
            break
    used_ids.add(id_number)
    while True:
        phone = rng.choice(_PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        if phone not in used_phones:
            break
    used_phones.add(phone)

    education = rng.choices(("postgraduate", "bachelor", "college", "secondary"), (10, 72, 14, 4))[0]
    if education == "secondary" and age < 45:
        education = "college"  # 中专 cadres are the older generation
    # 参加工作 at 21–25 (later after a master's), always strictly before REFERENCE_DATE.
    ws_hi = min(25, age - 1)
    ws_age = rng.randint(min({"postgraduate": 24, "bachelor": 22}.get(education, 21), ws_hi), ws_hi)
    work_start = _add_months(birth, 12 * ws_age) + dt.timedelta(days=rng.randrange(365))

    leader = band != "staff"
    r = rng.random()
    # Heads are always members; staff rates are set so that ~92% of the whole roster are members.
    political = "member" if leader or r < 0.87 else "masses" if r >= 0.94 else "probationary"
    if political == "probationary" and age > 36:
        political = "member"  # keep late admissions rare
    joined = full = None
    if political == "probationary":  # admitted within the year before REFERENCE_DATE, not yet 转正
        joined = REFERENCE_DATE - dt.timedelta(days=rng.randint(20, 360))
    elif political == "member":
        # admitted at 20–35 and over two years ago, so that 转正 (12 or 18 months later) is past
        joined = _add_months(birth, 12 * rng.randint(20, min(35, age - 3))) + dt.timedelta(days=rng.randrange(365))
        full = _add_months(joined, 18 if rng.random() < 0.04 else 12)  # a few extended probations

    status = "active"
    if not leader:
        if age >= 54 and rng.random() < 0.5:
            status = "retired"
        elif rng.random() < 0.02:
            status = "transferred"

    return {
        "name": name,
        "sex": sex,
        "ethnicity": ethnicity,
        "birth_date": birth,
        "id_number": id_number,
        "phone": phone,
        "unit_path": path,
        "position": position,
        "rank": rank,
        "education": education,
        "political_status": political,
        "joined_party_date": joined,
        "full_member_date": full,
        "work_start_date": work_start,
        "is_org_cadre": leader or rng.random() < 0.95,
        "status": status,
    }


def generate_people(*, seed: int = 2021, count: int = 400) -> list[dict]:
    """`count` people, DEMO_PEOPLE["cadre"] first; same seed and count → same list."""
    if count < 1:
        raise ValueError("count must be at least 1 (the demo cadre is always included)")
    rng = random.Random(seed)
    demo = dict(DEMO_PEOPLE["cadre"])
    slots = _plan_slots(count)
    # The demo cadre takes one 科员 place of 阿巴嘎旗's 组织股 (or any place on tiny rosters).
    taken = next((s for s in slots if s[0] == demo["unit_path"] and s[2] == "staff"), slots[-1])
    slots.remove(taken)

    used_names = {demo["name"]}
    used_ids = {p["id_number"] for p in DEMO_PEOPLE.values()}
    used_phones = {p["phone"] for p in DEMO_PEOPLE.values()}
    people = [demo] + [_make_person(rng, *slot, used_names, used_ids, used_phones) for slot in slots]

    # Search tests want another 巴… in a different county; rename a Mongolian man if chance gave none.
    def other_county(p):
        return county_of(p["unit_path"]) not in (None, county_of(demo["unit_path"]))

    if not any(p["name"].startswith("巴") and other_county(p) for p in people[1:]):
        for p in people[1:]:
            if other_county(p) and p["sex"] == "M" and p["ethnicity"] == "蒙古族":
                p["name"] = "巴图孟和"
                break
    return people
