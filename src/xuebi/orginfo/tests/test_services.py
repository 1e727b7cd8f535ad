"""Sending items and recording adoptions: the points of the rules' table (Example B, 批示 Example A)
reach each author through the engine, once; undoing reverses them; nobody records the adoption of
what they sent or wrote; bad input is refused with a message naming the field, and changes nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum

from xuebi.audit.models import Action, AuditEntry
from xuebi.ledger.models import RecordKind
from xuebi.org.choices import Role
from xuebi.orginfo import services
from xuebi.orginfo.demo import EXAMPLE_B
from xuebi.orginfo.models import Adoption, InfoItem, ItemStatus
from xuebi.points import engine, recompute
from xuebi.points.models import PointEntry
from xuebi.points.orginfo_source import sources_from_adoption
from xuebi.testing.helpers import make_user

from .conftest import LONG, SHORT, adopt, send

pytestmark = pytest.mark.django_db

OUTLET_NAMES = {"central": "中组部", "region": "自治区", "league": "盟", "own": "本级"}


def points_of(person) -> Decimal:
    return PointEntry.objects.filter(person=person, source_type="orginfo").aggregate(s=Sum("points"))["s"] or Decimal(0)


@pytest.mark.parametrize("outlet", list(OUTLET_NAMES))
@pytest.mark.parametrize("text, length", [(LONG, "长篇"), (SHORT, "短篇")])
def test_each_author_gets_the_tables_points(rules, org, users, outlet, text, length):
    item = send(users.cadre, org.abag, [org.bayi, org.abag_other], text=text)
    adoption = adopt(users.league_admin, item, outlet)
    expected = Decimal(EXAMPLE_B[f"{OUTLET_NAMES[outlet]}/{length}"])
    assert adoption.key == f"{OUTLET_NAMES[outlet]}/{length}" and not adoption.length_overridden
    assert points_of(org.bayi) == points_of(org.abag_other) == expected
    entry = PointEntry.objects.get(person=org.bayi, source_type="orginfo")
    assert entry.value_key == adoption.key and entry.unit_id == org.bayi.unit_id and entry.indicator.name == "组工信息"


def test_a_leaders_instruction_adds_its_own_points(rules, org, users):
    item = send(users.cadre, org.abag, [org.bayi], text=SHORT)
    adopt(users.league_admin, item, "region", instruction="national")
    rows = dict(PointEntry.objects.filter(person=org.bayi).values_list("value_key", "points"))
    assert rows == {"自治区/短篇": Decimal("15.00"), "国家": Decimal("30.00")}


def test_an_item_adopted_twice_counts_each_adoption(rules, org, users):
    item = send(users.cadre, org.abag, [org.bayi])
    adopt(users.league_admin, item, "league")
    adopt(users.league_admin, item, "region", day=dt.date(2026, 11, 12))
    assert points_of(org.bayi) == Decimal("30")  # 盟 10 + 自治区 20, both 长篇


def test_awarding_again_changes_nothing(rules, org, users):
    item = send(users.cadre, org.abag, [org.bayi])
    adoption = adopt(users.league_admin, item, "central", instruction="league")
    count = PointEntry.objects.count()
    for source in sources_from_adoption(adoption):
        assert engine.award(source, actor=users.league_admin) == []
    assert PointEntry.objects.count() == count and points_of(org.bayi) == Decimal("50")


def test_undo_reverses_the_points_and_keeps_the_row(rules, org, users):
    item = send(users.cadre, org.abag, [org.bayi])
    adoption = adopt(users.league_admin, item, "central", instruction="league")
    services.adoption_undo(actor=users.league_admin, adoption=adoption, reason="误登记")
    assert points_of(org.bayi) == 0
    assert PointEntry.objects.filter(person=org.bayi, entry_type="reversal").count() == 2
    adoption.refresh_from_db()
    assert adoption.undone_by == users.league_admin and adoption.undo_reason == "误登记"
    audit = AuditEntry.objects.filter(action=Action.ORGINFO_UNDO).get()
    assert audit.changes["reason"] == [None, "误登记"]
    # once undone, the same outlet may be recorded again (a new adoption, new points)
    adopt(users.league_admin, item, "central")
    assert points_of(org.bayi) == Decimal("40")
    with pytest.raises(ValidationError, match="已经撤销"):
        services.adoption_undo(actor=users.league_admin, adoption=adoption, reason="再撤")


def test_the_admin_may_set_the_length(rules, org, users):
    item = send(users.cadre, org.abag, [org.bayi], text=LONG)
    adoption = adopt(users.league_admin, item, "league", length="short")
    assert adoption.length_overridden and adoption.key == "盟/短篇" and points_of(org.bayi) == Decimal("6")


def test_recomputation_replays_the_standing_adoptions(rules, org, users):
    item = send(users.cadre, org.abag, [org.bayi])
    adopt(users.league_admin, item, "league", instruction="region")
    undone = adopt(users.league_admin, send(users.cadre, org.abag, [org.bayi], title="第二条"), "own")
    services.adoption_undo(actor=users.league_admin, adoption=undone, reason="重复")
    sources = recompute.SOURCES["orginfo"](rules)
    assert sorted(s.kind for s in sources) == ["adoption", "instruction"]
    assert {s.data.get("key") or s.data.get("instruction") for s in sources} == {"盟/长篇", "自治区"}


# --- separation of duties and roles ---------------------------------------------------------------


def test_nobody_records_the_adoption_of_what_they_sent_or_wrote(rules, org, users, password_hash):
    sent_by_league = send(users.league_admin, org.abag, [org.bayi])
    with pytest.raises(PermissionDenied, match="本人报送"):
        adopt(users.league_admin, sent_by_league)
    writer = make_user("league2", Role.LEAGUE_ADMIN, org.league, password_hash, person=org.league_person)
    written = send(users.league_admin, org.league_section, [org.league_person])  # a league section sends too
    with pytest.raises(PermissionDenied, match="本人撰写"):
        adopt(writer, written)
    third = make_user("league3", Role.LEAGUE_ADMIN, org.league, password_hash)
    adoption = adopt(third, written)
    with pytest.raises(PermissionDenied, match="本人撰写"):
        services.adoption_undo(actor=writer, adoption=adoption, reason="想撤")
    adopt(writer, sent_by_league)  # another league admin may
    assert Adoption.objects.count() == 2


@pytest.mark.parametrize("role", ["abag_admin", "cadre", "abag_reviewer", "judge"])
def test_only_a_league_admin_records_adoptions(rules, org, users, role):
    item = send(users.xilin_admin, org.xilin, [org.xilin_person])
    with pytest.raises(PermissionDenied, match="盟级管理员"):
        adopt(getattr(users, role), item)
    assert not Adoption.objects.exists()


def test_a_roster_cadre_sees_their_countys_items(org, users, password_hash):
    section_cadre = make_user("sec", Role.CADRE, org.abag_section, password_hash, person=org.abag_other)
    item = send(users.abag_admin, org.abag, [org.bayi])
    other = send(users.xilin_admin, org.xilin, [org.xilin_person])
    seen = set(InfoItem.objects.visible_to(section_cadre).values_list("pk", flat=True))
    assert item.pk in seen and other.pk not in seen
    assert not InfoItem.objects.visible_to(section_cadre, "change").filter(pk=item.pk).exists()
    assert not InfoItem.objects.visible_to(users.sysadmin).exists()


# --- the item's life ----------------------------------------------------------------------------------


def test_a_draft_is_sent_then_fixed_once_adopted(rules, org, users):
    draft = send(users.cadre, org.abag, [org.bayi], submit=False)
    assert draft.status == ItemStatus.DRAFT and draft.chars == 800
    with pytest.raises(ValidationError, match="已报送"):
        adopt(users.league_admin, draft)
    item = services.item_save(
        actor=users.cadre,
        item=draft,
        unit=org.abag,
        title="改后的标题",
        text=SHORT,
        submitted_on=draft.submitted_on,
        authors=[org.bayi],
        submit=True,
    )
    assert item.status == ItemStatus.SUBMITTED and item.chars == 799
    assert AuditEntry.objects.filter(action=Action.ORGINFO_SUBMIT, target_id=str(item.pk)).exists()
    adopt(users.league_admin, item)
    with pytest.raises(ValidationError, match="已被采用，不能再修改"):
        services.item_save(
            actor=users.cadre,
            item=item,
            unit=org.abag,
            title="再改",
            text="x",
            submitted_on=item.submitted_on,
            authors=[org.bayi],
        )
    with pytest.raises(ValidationError, match="已被采用，不能撤回"):
        services.item_withdraw(actor=users.cadre, item=item)
    assert InfoItem.objects.get(pk=item.pk).title == "改后的标题"


def test_withdrawn_and_deleted(org, users):
    item = send(users.cadre, org.abag, [org.bayi])
    services.item_withdraw(actor=users.abag_admin, item=item)
    with pytest.raises(ValidationError, match="已经撤回"):
        services.item_withdraw(actor=users.abag_admin, item=item)
    with pytest.raises(ValidationError, match="只能删除草稿"):
        services.item_delete(actor=users.cadre, item=item)
    draft = send(users.cadre, org.abag, [org.bayi], submit=False)
    services.item_delete(actor=users.cadre, item=draft)
    assert list(InfoItem.objects.values_list("pk", flat=True)) == [item.pk]
    assert AuditEntry.objects.filter(action=Action.ORGINFO_DELETE).get().changes["title"] == ["组工信息", None]


# --- bad input ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"title": " "}, "title", "请填写标题"),
        ({"text": ""}, "text", "请填写正文"),
        ({"submitted_on": dt.date(2026, 11, 26)}, "submitted_on", "不能晚于今天"),
        ({"submitted_on": None}, "submitted_on", "请填写报送日期"),
        ({"unit": "xilin"}, "unit", "报送单位应为您所在的旗县市区委组织部"),
        ({"authors": []}, "authors", "请至少选择一位作者"),
        ({"authors": "twice"}, "authors", "作者重复"),
        ({"authors": "xilin"}, "authors", "“巴图”不在您可以选择的人员范围内"),
    ],
)
def test_a_bad_item_is_refused_by_field(org, users, change, field, message):
    values = {"unit": org.abag, "title": "标题", "text": "正文", "submitted_on": dt.date(2026, 11, 1), "authors": [org.bayi]}
    values.update(change)
    if change.get("unit") == "xilin":
        values["unit"] = org.xilin
    if change.get("authors") == "twice":
        values["authors"] = [org.bayi, org.bayi]
    elif change.get("authors") == "xilin":
        values["authors"] = [org.xilin_person]
    with pytest.raises(ValidationError) as caught:
        services.item_save(actor=users.cadre, submit=True, **values)
    assert field in caught.value.message_dict and message in caught.value.message_dict[field][0]
    assert not InfoItem.objects.exists() and not AuditEntry.objects.filter(action__startswith="orginfo").exists()


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"outlet": ""}, "outlet", "请选择采用级别：中央/中组部、自治区/自治区党委组织部、盟/盟委组织部、本级简报"),
        ({"outlet": "county"}, "outlet", "请选择采用级别"),
        ({"day": None}, "adopted_on", "请填写采用日期"),
        ({"day": dt.date(2026, 11, 1)}, "adopted_on", "采用日期不能早于报送日期（2026年11月2日）"),
        ({"day": dt.date(2026, 11, 26)}, "adopted_on", "不能晚于今天"),
        ({"length": "medium"}, "length", "篇幅应为长篇或短篇"),
        ({"instruction": "county"}, "instruction", "领导批示应为国家、省（自治区）、市（盟）之一"),
        ({"note": "备" * 201}, "note", "不能超过200个字"),
    ],
)
def test_a_bad_adoption_is_refused_by_field(rules, org, users, change, field, message):
    item = send(users.cadre, org.abag, [org.bayi])
    values = {"outlet": "league", "day": dt.date(2026, 11, 10), **change}
    with pytest.raises(ValidationError) as caught:
        adopt(users.league_admin, item, values.pop("outlet"), day=values.pop("day"), **values)
    assert message in caught.value.message_dict[field][0]
    assert not Adoption.objects.exists() and not PointEntry.objects.exists()


def test_the_same_outlet_twice_is_refused(rules, org, users):
    item = send(users.cadre, org.abag, [org.bayi])
    adopt(users.league_admin, item, "league")
    with pytest.raises(ValidationError) as caught:
        adopt(users.league_admin, item, "league", day=dt.date(2026, 11, 11))
    assert "已登记被“盟/盟委组织部”采用（2026年11月10日）" in caught.value.message_dict["outlet"][0]
    assert Adoption.objects.count() == 1 and points_of(org.bayi) == Decimal("10")


def test_undo_needs_a_reason(rules, org, users):
    adoption = adopt(users.league_admin, send(users.cadre, org.abag, [org.bayi]))
    with pytest.raises(ValidationError, match="请填写撤销的原因"):
        services.adoption_undo(actor=users.league_admin, adoption=adoption, reason=" ")
    assert Adoption.objects.standing().count() == 1 and points_of(org.bayi) == Decimal("10")


# --- one path: the ledger's kind is retired ----------------------------------------------------------


def test_the_ledger_kind_is_stopped_and_its_page_points_here(kinds, users, client_for):
    from importlib import import_module

    retire = import_module("xuebi.orginfo.migrations.0002_retire_ledger_kind").retire
    from django.apps import apps

    retire(apps, None)
    assert not RecordKind.objects.get(code="org_info").is_active
    client = client_for(users.cadre)
    response = client.get("/ledger/new/org_info/")
    assert response.status_code == 302 and response["Location"] == "/orginfo/new/"
    assert "“组工信息”栏目" in client.get("/ledger/new/").content.decode()
