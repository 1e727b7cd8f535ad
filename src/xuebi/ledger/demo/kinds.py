"""The demo record kinds: one for each form of study and work that the seed article and issue 3
name (自学、集中学习、讲党课、三会一课、主题党日、业务讲堂、培训班、办实事、慰问、组工信息 …).

``DEMO_KINDS`` is plain data, the same shape the kind services and ``POST /api/v1/kinds`` take,
so it doubles as an example of a sensible kind. Codes of the 三会一课 and 主题党日 kinds
(``branch_congress``, ``branch_committee``, ``party_group_meeting``, ``party_lecture``,
``theme_day``) are what the compliance report looks for; keep them.
"""

from __future__ import annotations

from django.db import transaction

from ..services.kinds import kind_create
from ..models import RecordKind

__all__ = ["DEMO_KINDS", "load_demo_kinds"]


# --- field builders (to keep the table below readable) --------------------------------------------


def field(key: str, label: str, type: str, *, required: bool = False, help: str = "", **options) -> dict:
    """A definition as ``schema.validate_definitions`` reads it; empty options are left out."""
    definition = {"key": key, "label": label, "type": type, "required": required}
    definition.update({name: value for name, value in options.items() if value not in (None, "")})
    if help:
        definition["help"] = help
    return definition


def text(key: str, label: str, **kw) -> dict:
    return field(key, label, "text", **kw)


def longtext(key: str, label: str, **kw) -> dict:
    return field(key, label, "textarea", **kw)


def date(key: str, label: str, **kw) -> dict:
    return field(key, label, "date", **kw)


def person(key: str, label: str, **kw) -> dict:
    return field(key, label, "person", **kw)


def number(key: str, label: str, *, unit: str = "", low=None, high=None, decimals: int = 0, **kw) -> dict:
    return field(
        key,
        label,
        "number",
        unit=unit,
        min=None if low is None else str(low),
        max=None if high is None else str(high),
        decimals=decimals,
        **kw,
    )


def choice(key: str, label: str, choices: list[str], *, multiple: bool = False, **kw) -> dict:
    return field(key, label, "multichoice" if multiple else "choice", choices=choices, **kw)


def hours(*, high: int = 8) -> dict:
    return number("hours", "学时", unit="小时", low="0.5", high=high, decimals=1, required=True)


def meeting_fields(*, topic_label: str = "议题", host_label: str = "主持人") -> list[dict]:
    """三会一课: what a meeting record book (会议记录本) asks for."""
    return [
        text("topic", topic_label, required=True),
        person("host", host_label),
        number("expected", "应到人数", unit="人", low=1, high=500),
        number("present", "实到人数", unit="人", low=0, high=500),
        text("absent_reason", "缺席人员及原因"),
        longtext("minutes", "会议内容", help="主要议程、讨论情况和形成的决定"),
    ]


CONTENT = longtext("content", "学习内容")
REFLECTION = longtext("reflection", "心得体会")
VENUE = text("venue", "地点")


# --- the kinds ----------------------------------------------------------------------------------


def _kind(
    code,
    name,
    dimension,
    *,
    fields,
    participation="single",
    evidence_required=False,
    review_required=True,
    attendee_hours=False,
    has_study_level=False,
    description="",
    is_active=True,
) -> dict:
    return {
        "code": code,
        "name": name,
        "dimension": dimension,
        "participation": participation,
        "evidence_required": evidence_required,
        "review_required": review_required,
        "attendee_hours": attendee_hours,
        "has_study_level": has_study_level,
        "description": description,
        "is_active": is_active,
        "fields": fields,
    }


_KINDS = [
    # 学理论 ------------------------------------------------------------------------------------
    _kind(
        "self_study",
        "自学",
        "theory",
        description="在学习强国、北疆先锋、锡林郭勒党员教育等平台或线下自学。",
        fields=[
            choice("platform", "学习平台", ["学习强国", "北疆先锋", "锡林郭勒党员教育", "其他"], required=True),
            text("topic", "学习内容", required=True, help="如 习近平总书记在庆祝中国共产党成立100周年大会上的重要讲话"),
            hours(high=12),
            REFLECTION,
        ],
    ),
    _kind(
        "group_study",
        "集中学习",
        "theory",
        participation="group",
        evidence_required=True,
        attendee_hours=True,
        has_study_level=True,
        description="理论学习中心组、党支部等集体学习，由组织者记录并勾选参加人员，每人填写学时。",
        fields=[
            text("topic", "主题", required=True),
            choice("form", "形式", ["领学", "专题辅导", "研讨交流", "读原著", "观看视频", "现场教学", "其他"], required=True),
            person("host", "主持人"),
            VENUE,
            CONTENT,
        ],
    ),
    _kind(
        "give_lecture",
        "讲党课",
        "theory",
        evidence_required=True,
        description="部班子成员、党支部书记讲党课（北疆党课进行时），由讲课人记录。",
        fields=[
            person("lecturer", "讲课人", required=True),
            text("topic", "题目", required=True),
            text("audience", "对象", required=True, help="如 机关全体党员、党员中心户"),
            number("audience_count", "人数", unit="人", low=1, high=2000, required=True),
            VENUE,
        ],
    ),
    _kind(
        "party_history_night",
        "党史夜校",
        "theory",
        participation="group",
        evidence_required=True,
        attendee_hours=True,
        has_study_level=True,
        fields=[
            text("topic", "学习主题", required=True),
            person("lecturer", "主讲人"),
            CONTENT,
        ],
    ),
    _kind(
        "morning_reading",
        "党史晨读",
        "theory",
        participation="group",
        has_study_level=True,
        fields=[
            text("topic", "诵读篇目", required=True),
            number("minutes", "时长", unit="分钟", low=5, high=120, required=True),
            person("leader", "领读人"),
        ],
    ),
    _kind(
        "five_oclock_class",
        "五点整学习课堂",
        "theory",
        participation="group",
        evidence_required=True,
        attendee_hours=True,
        has_study_level=True,
        fields=[
            text("topic", "课题", required=True),
            person("lecturer", "主讲人"),
            CONTENT,
        ],
    ),
    _kind(
        "nightly_hour",
        "每晚学一小时",
        "theory",
        review_required=False,
        description="每晚自学一小时，本人记录，无需审核。",
        fields=[
            text("topic", "学习内容", required=True),
            choice("platform", "学习方式", ["学习强国", "北疆先锋", "锡林郭勒党员教育", "读书", "其他"]),
            hours(high=3),
        ],
    ),
    # 学业务 ------------------------------------------------------------------------------------
    _kind(
        "business_lecture",
        "业务讲堂",
        "business",
        participation="group",
        evidence_required=True,
        attendee_hours=True,
        description="组工干部上讲台：一人主讲，其他人轮流提问。",
        fields=[
            person("presenter", "主讲人", required=True),
            text("topic", "题目", required=True, help="如 发展党员工作流程、干部档案审核"),
            text("questioners", "提问人员", help="轮流提问的人员，用、分隔"),
            longtext("summary", "内容摘要"),
        ],
    ),
    _kind(
        "training",
        "培训班",
        "business",
        participation="group",
        evidence_required=True,
        attendee_hours=True,
        description="专题研讨班、轮训班、示范班等，记录期数、天数和参训人次。",
        fields=[
            text("title", "培训班名称", required=True),
            choice("class_type", "班次类型", ["专题研讨班", "轮训班", "示范班", "业务培训班", "其他"], required=True),
            text("organizer", "主办单位"),
            number("days", "培训天数", unit="天", low="0.5", high=60, decimals=1, required=True),
            number("trainees", "参训人数", unit="人次", low=1, high=10000, required=True),
            VENUE,
        ],
    ),
    _kind(
        "study_trip",
        "学习考察",
        "business",
        participation="group",
        evidence_required=True,
        fields=[
            text("topic", "考察主题", required=True),
            text("destination", "考察地点", required=True),
            number("days", "天数", unit="天", low=1, high=30, required=True),
            longtext("findings", "考察收获"),
        ],
    ),
    # 比党性 ------------------------------------------------------------------------------------
    _kind(
        "theme_day",
        "主题党日",
        "party_spirit",
        participation="group",
        evidence_required=True,
        description="每月固定一天的主题党日活动。",
        fields=[
            text("topic", "活动主题", required=True),
            choice("form", "活动形式", ["重温入党誓词", "红色教育", "志愿服务", "专题学习", "研讨交流", "其他"], required=True),
            VENUE,
            longtext("content", "活动内容"),
        ],
    ),
    _kind(
        "branch_congress",
        "支部党员大会",
        "party_spirit",
        participation="group",
        evidence_required=True,
        description="三会一课：支部党员大会，一般每季度召开一次。",
        fields=meeting_fields(),
    ),
    _kind(
        "branch_committee",
        "支委会",
        "party_spirit",
        participation="group",
        evidence_required=True,
        description="三会一课：支部委员会会议，一般每月召开一次。",
        fields=meeting_fields(),
    ),
    _kind(
        "party_group_meeting",
        "党小组会",
        "party_spirit",
        participation="group",
        evidence_required=True,
        description="三会一课：党小组会，一般每月召开一次。",
        fields=[
            text("group_name", "党小组"),
            *meeting_fields(host_label="召集人"),
        ],
    ),
    _kind(
        "party_lecture",
        "党课",
        "party_spirit",
        participation="group",
        evidence_required=True,
        description="三会一课：党课，一般每季度一次。",
        fields=[
            text("topic", "题目", required=True),
            person("lecturer", "讲课人", required=True),
            number("present", "听课人数", unit="人", low=1, high=2000),
            longtext("content", "党课内容"),
        ],
    ),
    _kind(
        "practical_service",
        "办实事",
        "party_spirit",
        evidence_required=True,
        description="我为群众办实事：为帮扶联系点、包联小区群众办的好事实事。",
        fields=[
            text("title", "事项", required=True),
            text("beneficiary", "服务对象", help="如 斯仍音昭村牧民、包联小区居民"),
            number("beneficiaries", "受益人数", unit="人", low=1, high=100000),
            longtext("result", "办理结果"),
        ],
    ),
    _kind(
        "condolence",
        "慰问",
        "party_spirit",
        evidence_required=True,
        description="走访慰问离退休党员、生活困难党员和群众。",
        fields=[
            text("title", "慰问活动", required=True, help="如 七一走访慰问老党员"),
            choice(
                "target", "慰问对象", ["老党员", "困难党员", "离退休党员", "光荣在党50年党员", "困难群众", "其他"], required=True
            ),
            number("people", "人数", unit="人", low=1, high=1000, required=True),
            number("amount", "慰问金额", unit="元", low=0, high=1000000, decimals=2),
            text("goods", "慰问品"),
        ],
    ),
    _kind(
        "integrity_six",
        "廉政“六个一”",
        "party_spirit",
        evidence_required=True,
        description="读1本廉政书、看1次廉政展览、观1次廉政影片、听1堂廉政课、建1份廉政档案、签1份廉政承诺。",
        fields=[
            choice(
                "item",
                "项目",
                ["读一本书", "看一次展览", "看一部电影", "听一次讲座", "建一份廉政档案", "签一份承诺书"],
                required=True,
            ),
            text("title", "名称", required=True, help="书名、展览、影片或讲座的名称"),
            REFLECTION,
        ],
    ),
    _kind(
        "first_secretary",
        "第一书记",
        "party_spirit",
        description="选派到嘎查村任第一书记，记录驻村情况。",
        fields=[
            text("village", "驻村名称", required=True, help="如 某苏木某嘎查"),
            date("start", "派驻开始日期", required=True),
            date("end", "派驻结束日期"),
            longtext("work", "主要工作"),
        ],
    ),
    # 比工作 ------------------------------------------------------------------------------------
    _kind(
        "org_info",
        "组工信息",
        "work",
        # retired: 组工信息 are submitted and adopted in the orginfo app (/orginfo/); the kind stays,
        # stopped, so that records kept from before remain readable (docs/decisions.md)
        is_active=False,
        description="组工信息报送及采用情况（已停用，请在“组工信息”栏目报送）。",
        fields=[
            text("title", "标题", required=True),
            date("submitted_on", "报送日期", required=True),
            choice("level", "采用级别", ["中央", "自治区", "盟", "未采用"], required=True),
            text("outlet", "采用载体", help="如 组工信息专报、党建网、微信公众号"),
            number("words", "字数", unit="字", low=1, high=100000),
        ],
    ),
    _kind(
        "publicity",
        "宣传稿件",
        "work",
        fields=[
            text("title", "标题", required=True),
            choice("channel", "刊播平台", ["微信公众号", "网站", "报纸", "广播电视", "其他"], required=True),
            choice("origin", "类型", ["原创", "转发"], required=True),
            text("link", "链接", max_length=500),
        ],
    ),
    _kind(
        "feature_film",
        "专题片",
        "work",
        evidence_required=True,
        description="党员教育专题片、微视频。",
        fields=[
            text("title", "片名", required=True),
            number("minutes", "时长", unit="分钟", low=1, high=600, decimals=1),
            text("platform", "播出平台"),
            text("link", "链接", max_length=500),
        ],
    ),
    _kind(
        "media_publication",
        "媒体发表",
        "work",
        evidence_required=True,
        description="在主流媒体刊发的稿件。",
        fields=[
            text("title", "标题", required=True),
            text("medium", "媒体名称", required=True, help="如 人民日报、内蒙古日报"),
            choice("level", "媒体级别", ["中央", "自治区", "盟", "旗县"], required=True),
            text("link", "链接", max_length=500),
        ],
    ),
    _kind(
        "video_views",
        "视频播放量",
        "work",
        evidence_required=True,
        description="微视频、短视频的播放量，附后台统计截图。",
        fields=[
            text("title", "视频名称", required=True),
            text("platform", "平台", required=True),
            number("views", "播放量", unit="次", low=0, high=100000000, required=True),
            date("counted_on", "统计日期", required=True),
        ],
    ),
]

DEMO_KINDS: list[dict] = [{**kind, "sort_order": (index + 1) * 10} for index, kind in enumerate(_KINDS)]


@transaction.atomic
def load_demo_kinds(actor=None) -> int:
    """Create the demo kinds that are missing (by code); return how many were created.

    Existing kinds are left as they are, so an admin's changes survive a second demo load.
    """
    existing = set(RecordKind.objects.values_list("code", flat=True))
    created = 0
    for kind in DEMO_KINDS:
        if kind["code"] in existing:
            continue
        attrs = {k: v for k, v in kind.items() if k != "fields"}
        kind_create(actor=actor, fields=[dict(f) for f in kind["fields"]], **attrs)
        created += 1
    return created
