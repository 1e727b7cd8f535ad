"""Field definitions: every field type validates server-side with Chinese messages, and a record
written under one version of a kind still renders after the kind changes."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict

from xuebi.ledger import schema
from xuebi.ledger.services.kinds import kind_update
from xuebi.ledger.models import RecordKindVersion
from xuebi.org.models import Person, Unit
from xuebi.testing.helpers import self_study

ALL_TYPES = [
    {"key": "title", "label": "标题", "type": "text", "required": True, "max_length": 10},
    {"key": "body", "label": "内容", "type": "textarea"},
    {
        "key": "hours",
        "label": "学时",
        "type": "number",
        "min": "0.5",
        "max": "12",
        "decimals": 1,
        "unit": "小时",
        "required": True,
    },
    {"key": "held_on", "label": "举办日期", "type": "date"},
    {"key": "level", "label": "采用级别", "type": "choice", "choices": ["中央", "自治区", "盟", "未采用"], "required": True},
    {"key": "items", "label": "项目", "type": "multichoice", "choices": ["读一本书", "看一次展览", "看一部电影"]},
    {"key": "speaker", "label": "讲课人", "type": "person"},
    {"key": "venue", "label": "承办单位", "type": "unit"},
    {"key": "scan", "label": "扫描件", "type": "file"},
]


def _form(data: dict):
    definitions = schema.validate_definitions(ALL_TYPES)
    form = forms.Form(data=QueryDict(mutable=True) if not data else _qd(data))
    form.fields.update(schema.build_form_fields(definitions, people=Person.objects.all(), units=Unit.objects.all()))
    return definitions, form


def _qd(data: dict) -> QueryDict:
    q = QueryDict(mutable=True)
    for key, value in data.items():
        if isinstance(value, list):
            q.setlist(schema.FIELD_PREFIX + key, value)
        else:
            q[schema.FIELD_PREFIX + key] = value
    return q


GOOD = {
    "title": "读书班",
    "body": "心得",
    "hours": "2.5",
    "held_on": "2026年7月1日",
    "level": "盟",
    "items": ["读一本书", "看一部电影"],
}


def test_every_field_type_cleans_to_stored_json(org):
    definitions, form = _form({**GOOD, "speaker": str(org.bayi.pk), "venue": str(org.abag.pk)})
    assert form.is_valid(), form.errors
    data, files = schema.values_from_form(definitions, form.cleaned_data)
    assert data == {
        "title": "读书班",
        "body": "心得",
        "hours": "2.5",
        "held_on": "2026-07-01",
        "level": "盟",
        "items": ["读一本书", "看一部电影"],
        "speaker": {"id": org.bayi.pk, "name": "巴依斯古楞"},
        "venue": {"id": org.abag.pk, "name": "阿巴嘎旗委组织部"},
    }
    assert files == []
    rows = {r["label"]: r["text"] for r in schema.display_rows(definitions, data)}
    assert rows["学时"] == "2.5 小时"
    assert rows["举办日期"] == "2026年7月1日"
    assert rows["项目"] == "读一本书、看一部电影"
    assert rows["讲课人"] == "巴依斯古楞"


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("title", "", "这个字段是必填项。"),
        ("title", "一二三四五六七八九十十一", "10"),
        ("hours", "abc", "请输入数字。"),
        ("hours", "0.2", "0.5"),
        ("hours", "13", "12"),
        ("hours", "1.25", "最多保留 1 位小数。"),
        ("held_on", "2026-13-45", "日期"),
        ("level", "省级", "选择一个有效的选项"),
        ("items", ["读两本书"], "选择一个有效的选项"),
        ("speaker", "999999", "选择一个有效的选项"),
        ("venue", "abc", "选择一个有效的选项"),
    ],
)
def test_bad_values_are_refused_with_a_message_naming_the_problem(org, field, value, message):
    _, form = _form({**GOOD, field: value})
    assert not form.is_valid()
    errors = " ".join(form.errors[schema.FIELD_PREFIX + field])
    assert message in errors


def test_a_required_file_field_is_enforced_unless_files_are_attached(org):
    definitions = schema.validate_definitions([{"key": "scan", "label": "扫描件", "type": "file", "required": True}])
    form = forms.Form(data={})
    form.fields.update(schema.build_form_fields(definitions))
    assert not form.is_valid()
    assert form.errors[schema.FIELD_PREFIX + "scan"] == ["这个字段是必填项。"]
    form = forms.Form(data={})
    form.fields.update(schema.build_form_fields(definitions, attached_keys={"scan"}))
    assert form.is_valid()


@pytest.mark.parametrize(
    "fields, message",
    [
        ([{"key": "a", "label": "", "type": "text"}], "缺少名称"),
        ([{"key": "Bad Key", "label": "甲", "type": "text"}], "键“Bad Key”无效"),
        ([{"key": "a", "label": "甲", "type": "text"}, {"key": "a", "label": "乙", "type": "text"}], "重复"),
        ([{"key": "a", "label": "甲", "type": "colour"}], "类型“colour”无效"),
        ([{"key": "a", "label": "甲", "type": "choice", "choices": ["只有一个"]}], "至少需要两个选项"),
        ([{"key": "a", "label": "甲", "type": "choice", "choices": "中央、中央"}], "选项有重复"),
        ([{"key": "a", "label": "甲", "type": "number", "min": 5, "max": 1}], "最小值不能大于最大值"),
        ([{"key": "a", "label": "甲", "type": "number", "decimals": 4}], "小数位数"),
        ([{"key": "unit", "label": "甲", "type": "text"}], "系统保留"),
    ],
)
def test_bad_definitions_are_refused_in_chinese(fields, message):
    with pytest.raises(ValidationError) as exc:
        schema.validate_definitions(fields)
    assert message in exc.value.messages[0]


def test_choices_may_be_typed_separated_by_dun_hao():
    [field] = schema.validate_definitions([{"key": "level", "label": "级别", "type": "choice", "choices": "中央、自治区\n盟"}])
    assert field["choices"] == ["中央", "自治区", "盟"]


def test_a_record_written_under_version_1_still_renders_after_version_2_changes_the_fields(users, kinds):
    record = self_study(users.cadre, kinds, submit=False)
    assert record.schema.version == 1
    kind_update(
        actor=users.league_admin,
        kind=kinds.self_study,
        fields=[
            # content removed, platform kept, minutes added
            {
                "key": "platform",
                "label": "学习平台",
                "type": "choice",
                "required": True,
                "choices": ["学习强国", "北疆先锋", "其他"],
            },
            {"key": "minutes", "label": "时长", "type": "number", "unit": "分钟", "required": True, "decimals": 0},
        ],
    )
    kinds.self_study.refresh_from_db()
    assert kinds.self_study.version == 2
    assert RecordKindVersion.objects.filter(kind=kinds.self_study).count() == 2
    record.refresh_from_db()
    rows = {r["label"]: r["text"] for r in schema.display_rows(record.schema.fields, record.data)}
    assert rows == {"学习平台": "学习强国", "学习内容": "学习《习近平谈治国理政》第四卷"}
    # a new record uses version 2, and shows the new field
    newer = self_study(users.cadre, kinds, submit=False, day=dt.date(2026, 11, 21))
    newer.data = {"platform": "北疆先锋", "minutes": "45"}
    rows = {r["label"]: r["text"] for r in schema.display_rows(newer.schema.fields, newer.data)}
    assert newer.schema.version == 2
    assert rows == {"学习平台": "北疆先锋", "时长": "45 分钟"}


def test_the_record_page_renders_an_old_version_after_the_kind_changed(users, kinds, client_for):
    record = self_study(users.cadre, kinds, submit=False)
    kind_update(
        actor=users.league_admin,
        kind=kinds.self_study,
        fields=[
            {"key": "notes", "label": "备注", "type": "textarea"},
        ],
    )
    page = client_for(users.cadre).get(f"/ledger/{record.pk}/").content.decode()
    assert "学习《习近平谈治国理政》第四卷" in page
    assert "学习平台" in page and "备注" not in page
