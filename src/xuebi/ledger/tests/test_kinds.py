"""Record kinds (台账类型) pages: who may see and change them, the field editor, versioning, the demo kinds."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Q

from xuebi.audit.models import Action, AuditEntry
from xuebi.ledger.demo.kinds import DEMO_KINDS, load_demo_kinds
from xuebi.ledger.forms.kinds import fill_missing_keys, suggest_key
from xuebi.ledger.services.kinds import kind_create, kind_update
from xuebi.ledger.models import Record, RecordKind, RecordKindVersion
from xuebi.ledger.schema import build_form_fields, validate_definitions
from xuebi.org.models import Person, Unit
from xuebi.testing.helpers import sign_in

ROLES = [
    "league_admin",
    "abag_admin",
    "abag_reviewer",
    "cadre",
    "xilin_admin",
    "judge",
    "sysadmin",
    "secadmin",
    "auditor",
    "nobody",
]
READERS = {"league_admin", "abag_admin", "abag_reviewer", "cadre", "xilin_admin", "judge"}

FIELDS_V1 = [
    {"key": "platform", "label": "学习平台", "type": "choice", "required": True, "choices": ["学习强国", "北疆先锋"]},
    {
        "key": "hours",
        "label": "学时",
        "type": "number",
        "unit": "小时",
        "min": "0.5",
        "max": "12",
        "decimals": 1,
        "required": True,
    },
]


@pytest.fixture
def kind(users):
    return kind_create(
        actor=users.league_admin, fields=[dict(f) for f in FIELDS_V1], code="self_study", name="自学", dimension="theory"
    )


def management(total: int, initial: int = 0) -> dict:
    return {
        "fields-TOTAL_FORMS": str(total),
        "fields-INITIAL_FORMS": str(initial),
        "fields-MIN_NUM_FORMS": "0",
        "fields-MAX_NUM_FORMS": "1000",
    }


def row(index: int, *, label: str, type: str = "text", key: str = "", order="", delete=False, **options) -> dict:
    data = {
        f"fields-{index}-label": label,
        f"fields-{index}-key": key,
        f"fields-{index}-type": type,
        f"fields-{index}-ORDER": str(order),
        f"fields-{index}-decimals": options.pop("decimals", "1"),
    }
    for name, value in options.items():
        data[f"fields-{index}-{name}"] = "on" if value is True else value
    if delete:
        data[f"fields-{index}-DELETE"] = "on"
    return data


def kind_post(*rows, initial: int = 0, **attrs) -> dict:
    data = {
        "code": "org_info",
        "name": "组工信息",
        "dimension": "work",
        "participation": "single",
        "review_required": "on",
        "is_active": "on",
        "sort_order": "100",
        "description": "",
    }
    data.update(attrs)
    data.update(management(len(rows), initial))
    for r in rows:
        data.update(r)
    return data


def edit_post(kind: RecordKind, *rows, **attrs) -> dict:
    """What the edit page posts: the kind's attributes as shown, its current rows, then ``rows``."""
    current = []
    for index, d in enumerate(kind.fields):
        current.append(
            row(
                index,
                label=d["label"],
                key=d["key"],
                type=d["type"],
                order=index + 1,
                required=d.get("required", False),
                unit=d.get("unit", ""),
                min=d.get("min", ""),
                max=d.get("max", ""),
                decimals=str(d.get("decimals", 1)),
                choices="\n".join(d.get("choices", [])),
                help=d.get("help", ""),
                max_length=str(d.get("max_length", "")),
            )
        )
    values = {
        "name": kind.name,
        "dimension": kind.dimension,
        "participation": kind.participation,
        "sort_order": str(kind.sort_order),
        "description": kind.description,
    }
    for flag in ("evidence_required", "review_required", "attendee_hours", "has_study_level", "is_active"):
        if getattr(kind, flag):
            values[flag] = "on"
    values.update(attrs)
    data = kind_post(*current, initial=len(current), **values)
    data.pop("code")
    extra = [{k.replace("fields-0-", f"fields-{len(current) + i}-"): v for k, v in r.items()} for i, r in enumerate(rows)]
    for r in extra:
        data.update(r)
    data.update(management(len(current) + len(rows), len(current)))
    return data


def add_record(kind: RecordKind, org, users, version: int = None) -> Record:
    schema = RecordKindVersion.objects.get(kind=kind, version=version or kind.version)
    return Record.objects.create(
        kind=kind,
        schema=schema,
        unit=org.abag_section,
        author=org.bayi,
        created_by=users.cadre,
        title="学习",
        occurred_on=dt.date(2026, 3, 1),
        data={"platform": "学习强国", "hours": "2.0"},
    )


# --- who may do what ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_every_kind_page_for_every_role(role, kind, users, client):
    client.force_login(getattr(users, role))
    pages = [
        ("/ledger/kinds/", 200 if role in READERS else 403),
        (f"/ledger/kinds/{kind.pk}/", 200 if role in READERS else 403),
        ("/ledger/kinds/new/", 200 if role == "league_admin" else 403),
        (f"/ledger/kinds/{kind.pk}/edit/", 200 if role == "league_admin" else 403),
        (f"/ledger/kinds/{kind.pk + 1000}/edit/", 404 if role == "league_admin" else 403),
        (f"/ledger/kinds/{kind.pk + 1000}/", 404 if role in READERS else 403),
    ]
    assert [(url, client.get(url).status_code) for url, _ in pages] == pages


def test_signed_out_visitors_are_sent_to_sign_in(kind, client):
    for url in ("/ledger/kinds/", f"/ledger/kinds/{kind.pk}/", "/ledger/kinds/new/", f"/ledger/kinds/{kind.pk}/edit/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url


@pytest.mark.parametrize("role", ["abag_admin", "abag_reviewer", "cadre", "judge", "sysadmin"])
def test_only_a_league_admin_can_create_or_change_a_kind(role, kind, users, client):
    client.force_login(getattr(users, role))
    assert client.post("/ledger/kinds/new/", kind_post(row(0, label="标题", key="title"))).status_code == 403
    assert client.post(f"/ledger/kinds/{kind.pk}/edit/", edit_post(kind, name="改名")).status_code == 403
    assert list(RecordKind.objects.values_list("name", flat=True)) == ["自学"]
    assert AuditEntry.objects.filter(action=Action.KIND_CREATE).count() == 1  # the fixture's own
    assert not AuditEntry.objects.filter(action=Action.KIND_UPDATE).exists()


def test_readers_see_active_kinds_without_edit_buttons(kind, users, client):
    kind_create(actor=users.league_admin, fields=[], code="old_kind", name="旧类型", dimension="work", is_active=False)
    client.force_login(users.cadre)
    page = client.get("/ledger/kinds/").content.decode()
    assert "自学" in page and "旧类型" not in page and "新建台账类型" not in page
    assert "编辑" not in client.get(f"/ledger/kinds/{kind.pk}/").content.decode()
    client.force_login(users.league_admin)
    page = client.get("/ledger/kinds/").content.decode()
    assert "旧类型" in page and "已停用" in page and "新建台账类型" in page


def test_the_list_is_grouped_by_dimension_in_campaign_order(users, client):
    load_demo_kinds()
    client.force_login(users.cadre)
    page = client.get("/ledger/kinds/").content.decode()
    positions = [page.index(f">{label} <") for label in ("学理论", "学业务", "比党性", "比工作")]
    assert positions == sorted(positions)


def test_the_list_costs_the_same_queries_for_one_or_all_demo_kinds(kind, users, client, django_assert_max_num_queries):
    client.force_login(users.league_admin)
    client.get("/ledger/kinds/")  # warm the session
    with django_assert_max_num_queries(6):
        assert client.get("/ledger/kinds/").status_code == 200
    load_demo_kinds()
    with django_assert_max_num_queries(6):
        page = client.get("/ledger/kinds/").content.decode()
    assert "廉政“六个一”" in page and "组工信息" in page


def test_the_detail_page_costs_a_fixed_number_of_queries(kind, users, org, client, django_assert_max_num_queries):
    for n in range(3):
        kind_update(
            actor=users.league_admin, kind=kind, fields=FIELDS_V1 + [{"key": f"x{n}", "label": f"补充{n}", "type": "text"}]
        )
        add_record(RecordKind.objects.get(pk=kind.pk), org, users)
    client.force_login(users.league_admin)
    client.get(f"/ledger/kinds/{kind.pk}/")
    with django_assert_max_num_queries(8):
        assert client.get(f"/ledger/kinds/{kind.pk}/").status_code == 200


# --- creating through the field editor ------------------------------------------------------------


def test_creating_a_kind_with_fields_suggests_keys_from_pinyin_and_audits(users, client):
    client.force_login(users.league_admin)
    response = client.post(
        "/ledger/kinds/new/",
        kind_post(
            row(0, label="标题", key="title", required=True, order=1),
            row(1, label="采用级别", type="choice", choices="中央、自治区\n盟\n未采用", required=True, order=2),
            row(2, label="字数", type="number", unit="字", min="1", max="100000", decimals="0", order=3),
        ),
    )
    kind = RecordKind.objects.get(code="org_info")
    assert response.status_code == 302 and response["Location"] == f"/ledger/kinds/{kind.pk}/"
    assert [(f["key"], f["label"], f["type"]) for f in kind.fields] == [
        ("title", "标题", "text"),
        ("caiyongjibie", "采用级别", "choice"),
        ("zishu", "字数", "number"),
    ]
    assert kind.fields[1]["choices"] == ["中央", "自治区", "盟", "未采用"]
    assert kind.fields[2] == {
        "key": "zishu",
        "label": "字数",
        "type": "number",
        "required": False,
        "min": "1",
        "max": "100000",
        "decimals": 0,
        "unit": "字",
    }
    assert kind.version == 1 and kind.versions.count() == 1
    entry = AuditEntry.objects.get(action=Action.KIND_CREATE)
    assert entry.actor == users.league_admin and entry.target_id == str(kind.pk)
    assert entry.changes["name"] == [None, "组工信息"]
    assert "已新建台账类型“组工信息”" in client.get(response["Location"]).content.decode()


def test_rows_follow_their_order_numbers_and_untouched_or_deleted_rows_are_left_out(users, client):
    client.force_login(users.league_admin)
    client.post(
        "/ledger/kinds/new/",
        kind_post(
            row(0, label="第三", key="third", order=3),
            row(1, label="删掉", key="gone", order=1, delete=True),
            row(2, label="第一", key="first", order=1),
            row(3, label="没有序号", key="last"),
            row(4, label=""),  # an untouched extra row
        ),
    )
    assert [f["key"] for f in RecordKind.objects.get(code="org_info").fields] == ["first", "third", "last"]


@pytest.mark.parametrize(
    "rows, message",
    [
        ([row(0, label="标题", key="title"), row(1, label="题目", key="title")], "“title”与前面的字段重复"),
        ([row(0, label="采用级别", key="level", type="choice", choices="中央")], "“采用级别”至少需要两个选项"),
        ([row(0, label="学时", key="hours", type="number", min="12", max="0.5")], "“学时”的最小值不能大于最大值"),
        ([row(0, label="学时", key="hours", type="number", min="半小时")], "“学时”的最小值应为数字"),
        ([row(0, label="标题", key="Title")], "键“Title”无效"),
        ([row(0, label="日期", key="occurred_on")], "系统保留"),
        ([row(0, label="标题", key="title", type="table")], "选择一个有效的选项"),
        ([row(0, label="", key="title", type="text", required=True)], "这个字段是必填项"),
    ],
)
def test_bad_field_rows_are_refused_in_chinese_and_nothing_is_saved(rows, message, users, client):
    client.force_login(users.league_admin)
    response = client.post("/ledger/kinds/new/", kind_post(*rows))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not RecordKind.objects.exists() and not AuditEntry.objects.filter(action=Action.KIND_CREATE).exists()


def test_the_error_of_a_definition_is_shown_on_its_row(users, client):
    client.force_login(users.league_admin)
    response = client.post(
        "/ledger/kinds/new/",
        kind_post(
            row(0, label="标题", key="title"),
            row(1, label="采用级别", key="level", type="choice", choices="中央"),
        ),
    )
    formset = response.context["formset"]
    assert formset.forms[0].non_field_errors() == []
    assert "至少需要两个选项" in formset.forms[1].non_field_errors()[0]
    assert "至少需要两个选项" in formset.non_form_errors()[0]


@pytest.mark.parametrize(
    "attrs, field, message",
    [
        ({"name": ""}, "name", "必填"),
        ({"code": "Org-Info"}, "code", "小写英文字母"),
        ({"dimension": "sports"}, "dimension", "选择一个有效的选项"),
    ],
)
def test_bad_kind_attributes_are_refused(attrs, field, message, users, client):
    client.force_login(users.league_admin)
    response = client.post("/ledger/kinds/new/", kind_post(row(0, label="标题", key="title"), **attrs))
    assert response.status_code == 200
    assert any(message in e for e in response.context["form"].errors[field])
    assert not RecordKind.objects.exists()


def test_a_duplicate_code_or_name_is_refused(kind, users, client):
    client.force_login(users.league_admin)
    response = client.post("/ledger/kinds/new/", kind_post(row(0, label="标题", key="title"), code="self_study", name="自学"))
    assert set(response.context["form"].errors) == {"code", "name"}
    assert RecordKind.objects.count() == 1


def test_the_form_page_has_no_inline_script_and_loads_the_field_editor(users, client):
    client.force_login(users.league_admin)
    page = client.get("/ledger/kinds/new/").content.decode()
    assert "/static/xuebi/kinds.js" in page
    assert "<script>" not in page and " style=" not in page and "onclick" not in page
    assert 'id="xb-field-template"' in page and "fields-__prefix__-label" in page
    assert page.count("data-xb-row") == 4  # three empty rows and the template for more


# --- editing and versions -------------------------------------------------------------------------


def test_editing_fields_makes_version_2_and_keeps_version_1(kind, org, users, client):
    old = add_record(kind, org, users)
    client.force_login(users.league_admin)
    data = edit_post(kind, row(0, label="心得体会", type="textarea"))
    data["fields-0-DELETE"] = "on"  # drop 学习平台
    response = client.post(f"/ledger/kinds/{kind.pk}/edit/", data)
    assert response.status_code == 302
    kind.refresh_from_db()
    assert kind.version == 2
    assert [f["key"] for f in kind.fields] == ["hours", "xindetihui"]
    assert [f["key"] for f in kind.versions.get(version=1).fields] == ["platform", "hours"]
    old.refresh_from_db()
    assert old.schema.version == 1
    entry = AuditEntry.objects.get(action=Action.KIND_UPDATE)
    assert entry.actor == users.league_admin and "fields" in entry.changes
    page = client.get(response["Location"]).content.decode()
    assert "字段已更新为第2版" in page
    assert "已有1条记录使用旧版本" in page
    assert 'data-version="1"' in page and 'data-version="2"' in page and "学习平台" in page


def test_saving_an_unchanged_kind_makes_no_new_version_and_no_audit_row(kind, users, client):
    client.force_login(users.league_admin)
    response = client.post(f"/ledger/kinds/{kind.pk}/edit/", edit_post(kind))
    assert response.status_code == 302, response.context["formset"].non_form_errors()
    kind.refresh_from_db()
    assert kind.version == 1 and kind.fields == validate_definitions(FIELDS_V1)
    assert not AuditEntry.objects.filter(action=Action.KIND_UPDATE).exists()


def test_changing_only_attributes_keeps_the_version(kind, users, client):
    client.force_login(users.league_admin)
    client.post(f"/ledger/kinds/{kind.pk}/edit/", edit_post(kind, name="个人自学", evidence_required="on"))
    kind.refresh_from_db()
    assert (kind.name, kind.evidence_required, kind.version) == ("个人自学", True, 1)
    changes = AuditEntry.objects.get(action=Action.KIND_UPDATE).changes
    assert changes == {"name": ["自学", "个人自学"], "evidence_required": [False, True]}


def test_the_code_cannot_be_changed_once_created(kind, users, client):
    client.force_login(users.league_admin)
    data = edit_post(kind)
    data["code"] = "renamed"
    client.post(f"/ledger/kinds/{kind.pk}/edit/", data)
    kind.refresh_from_db()
    assert kind.code == "self_study"


def test_a_bad_edit_changes_nothing(kind, org, users, client):
    client.force_login(users.league_admin)
    response = client.post(f"/ledger/kinds/{kind.pk}/edit/", edit_post(kind, row(0, label="学时", key="hours"), name="改名"))
    assert "重复" in response.content.decode()
    assert "编辑台账类型：自学" in response.content.decode()
    kind.refresh_from_db()
    assert (kind.name, kind.version, kind.versions.count()) == ("自学", 1, 1)


def test_the_detail_page_shows_attributes_fields_and_counts_only_visible_records(kind, org, users, client):
    add_record(kind, org, users)
    kind_update(actor=users.league_admin, kind=kind, fields=FIELDS_V1[1:])
    client.force_login(users.league_admin)
    page = client.get(f"/ledger/kinds/{kind.pk}/").content.decode()
    assert "self_study" in page and "学理论" in page and "0.5–12；小时；1位小数" in page
    assert "已有1条记录使用旧版本" in page
    client.force_login(users.xilin_admin)  # the record is in 阿巴嘎: not counted for 锡林浩特
    assert "使用旧版本" not in client.get(f"/ledger/kinds/{kind.pk}/").content.decode()


# --- keys from pinyin ---------------------------------------------------------------------------


def test_suggested_keys_are_valid_and_unique():
    assert suggest_key("学习内容", set()) == "xuexineirong"
    assert suggest_key("学习内容", {"xuexineirong"}) == "xuexineirong2"
    assert suggest_key("2021", set()) == "f2021"
    assert suggest_key("！", set()) == "field"
    rows = fill_missing_keys([{"label": "学时"}, {"label": "学时", "key": "xueshi"}, {"label": "学时"}])
    assert [r["key"] for r in rows] == ["xueshi2", "xueshi", "xueshi3"]
    validate_definitions([{**r, "type": "text"} for r in rows])


# --- the demo kinds -----------------------------------------------------------------------------


def test_every_demo_kind_is_valid_and_renders_as_a_form(org):
    codes = [k["code"] for k in DEMO_KINDS]
    assert len(codes) == len(set(codes)) and len({k["name"] for k in DEMO_KINDS}) == len(DEMO_KINDS)
    for kind in DEMO_KINDS:
        definitions = validate_definitions(kind["fields"])
        fields = build_form_fields(definitions, people=Person.objects.all(), units=Unit.objects.all())
        assert len(fields) == len(definitions)
        # the record list shows a main line: 标题/主题 or the first required text field
        assert any(d["type"] == "text" and d["required"] for d in definitions), kind["code"]


def test_the_demo_has_a_kind_for_every_form_the_issue_names():
    by_code = {k["code"]: k for k in DEMO_KINDS}
    for code in (
        "self_study",
        "group_study",
        "theme_day",
        "branch_congress",
        "branch_committee",
        "party_group_meeting",
        "party_lecture",
        "business_lecture",
        "org_info",
        "integrity_six",
    ):
        assert code in by_code
    names = {k["name"] for k in DEMO_KINDS}
    for name in (
        "讲党课",
        "党史夜校",
        "党史晨读",
        "五点整学习课堂",
        "每晚学一小时",
        "培训班",
        "学习考察",
        "办实事",
        "慰问",
        "宣传稿件",
        "专题片",
        "媒体发表",
        "视频播放量",
        "第一书记",
    ):
        assert name in names
    fields = {code: {f["key"]: f for f in k["fields"]} for code, k in by_code.items()}
    assert fields["self_study"]["platform"]["choices"] == ["学习强国", "北疆先锋", "锡林郭勒党员教育", "其他"]
    assert (fields["self_study"]["hours"]["min"], fields["self_study"]["hours"]["max"]) == ("0.5", "12")
    assert fields["org_info"]["level"]["choices"] == ["中央", "自治区", "盟", "未采用"]
    assert "title" in fields["org_info"] and "topic" in fields["group_study"] and "topic" in fields["business_lecture"]
    assert fields["integrity_six"]["item"]["choices"] == [
        "读一本书",
        "看一次展览",
        "看一部电影",
        "听一次讲座",
        "建一份廉政档案",
        "签一份承诺书",
    ]
    assert fields["group_study"]["host"]["type"] == "person" and fields["business_lecture"]["presenter"]["type"] == "person"
    group = by_code["group_study"]
    assert group["participation"] == "group" and group["attendee_hours"] and group["has_study_level"]
    assert all(by_code[c]["participation"] == "group" for c in ("theme_day", "branch_congress", "business_lecture"))


def test_loading_the_demo_kinds_is_idempotent_and_keeps_admin_changes(users):
    assert load_demo_kinds() == len(DEMO_KINDS)
    self_study = RecordKind.objects.get(code="self_study")
    kind_update(actor=users.league_admin, kind=self_study, name="个人自学")
    assert load_demo_kinds() == 0
    assert RecordKind.objects.count() == len(DEMO_KINDS)
    assert RecordKind.objects.get(code="self_study").name == "个人自学"
    assert AuditEntry.objects.filter(action=Action.KIND_CREATE).count() == len(DEMO_KINDS)
    assert not RecordKindVersion.objects.filter(~Q(version=1)).exists()
    RecordKind.objects.filter(code="org_info").delete()
    assert load_demo_kinds(actor=users.league_admin) == 1


def test_the_kind_services_refuse_bad_definitions(users):
    with pytest.raises(ValidationError, match="至少需要两个选项"):
        kind_create(
            actor=users.league_admin,
            code="x",
            name="x",
            dimension="work",
            fields=[{"key": "a", "label": "甲", "type": "choice", "choices": ["一"]}],
        )
    assert not RecordKind.objects.exists()


# --- the field editor in a phone's browser --------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_league_admin_builds_a_kind_on_a_phone(phone, org, users):
    sign_in(phone, "league")
    phone.goto("/ledger/kinds/new/")
    phone.locator("#id_code").fill("visit_old_members")
    phone.locator("#id_name").fill("走访老党员")
    phone.locator("#id_dimension").select_option(label="比党性")
    rows = phone.locator("[data-xb-row]:visible")
    assert rows.count() == 3
    first = rows.nth(0)
    first.get_by_label("字段名称").fill("慰问对象")
    first.get_by_label("类型").select_option(label="单选")
    assert first.get_by_label("选项").is_visible() and not first.get_by_label("最小值").is_visible()
    first.get_by_label("选项").fill("老党员、困难党员")
    second = rows.nth(1)
    second.get_by_label("字段名称").fill("人数")
    assert not second.get_by_label("单位").is_visible()
    second.get_by_label("类型").select_option(label="数字")
    assert second.get_by_label("单位").is_visible() and not second.get_by_label("选项").is_visible()
    second.get_by_label("单位").fill("人")
    second.get_by_label("最小值").fill("1")
    phone.get_by_role("button", name="添加字段").click()
    assert phone.locator("[data-xb-row]:visible").count() == 4
    phone.locator("[data-xb-row]:visible").nth(3).get_by_label("字段名称").fill("备注")
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    phone.get_by_role("button", name="保存").click()
    phone.wait_for_url(re.compile(r".*/ledger/kinds/\d+/$"))
    kind = RecordKind.objects.get(code="visit_old_members")
    assert [(f["key"], f["type"]) for f in kind.fields] == [
        ("weiwenduixiang", "choice"),
        ("renshu", "number"),
        ("beizhu", "text"),
    ]
    assert phone.get_by_text("已新建台账类型“走访老党员”").is_visible()
