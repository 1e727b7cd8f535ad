"""The annual summary (年度总结): figures against a hand-computed dataset, the department's rounding
at each boundary, the drafted text per scope, the API, the page (edit, save, regenerate) and the
league admin's settings."""

from __future__ import annotations

import datetime as dt
import subprocess
import zipfile
from decimal import Decimal

import pytest

from xuebi.org.models import MedalIssue
from django.urls import reverse

from xuebi.audit.models import AuditEntry
from xuebi.campaign.models import Campaign
from xuebi.ledger.demo.kinds import DEMO_KINDS
from xuebi.ledger.models import RecordKind
from xuebi.ledger.services.kinds import kind_create
from xuebi.ledger.services.records import record_return
from xuebi.org.choices import Role
from xuebi.orginfo import services as orginfo
from xuebi.reports import figures
from xuebi.reports.figures import display
from xuebi.reports.models import SummaryDraft, SummaryFigure
from xuebi.reports.selectors import summary as selectors
from xuebi.reports.services import summary as services
from xuebi.testing.factories import RecordFactory
from xuebi.testing.helpers import add_person, make_user

CODES = (
    "feature_film",
    "publicity",
    "media_publication",
    "video_views",
    "training",
    "first_secretary",
    "practical_service",
)
MARCH = dt.date(2026, 3, 10)


# --- rounding (a pure function) ---------------------------------------------------------------


@pytest.mark.parametrize(
    "value, unit_word, rounding, written",
    [
        (8, "部", 10, "8部"),  # below the unit: exact
        (10, "部", 10, "10部"),  # exactly on it: exact (余 only when there is more)
        (11, "部", 10, "10余部"),  # just above
        (23, "部", 10, "20余部"),
        (19, "部", 10, "10余部"),
        (20, "部", 10, "20部"),  # a whole multiple: exact
        (999, "条（篇）", 1000, "999条（篇）"),
        (1000, "条（篇）", 1000, "1000条（篇）"),
        (1001, "条（篇）", 1000, "1000余条（篇）"),
        (2046, "条（篇）", 1000, "2000余条（篇）"),
        (2046, "条（篇）", 100, "2000余条（篇）"),
        (4226, "次", 10, "4220余次"),
        (9098, "人次", None, "9098人次"),  # no rounding unit: exact, arabic, no separator
        (12345, "人次", None, "12345人次"),  # exact figures are never written in 万
        (0, "部", 10, "0部"),
        (5, "件", 1, "5件"),  # a unit of 1 is exact
        (9999, "次", 10000, "9999次"),  # 万 only once the value reaches a 万 rounding unit
        (10000, "次", 10000, "1万次"),
        (123456, "次", 10000, "12万余次"),
        (120000, "次", 10000, "12万次"),
        (123456, "次", 1000, "123000余次"),  # a unit of 1000 keeps arabic numerals
        (Decimal("12.5"), "天", None, "12.5天"),  # a decimal sum, exact
        (Decimal("12.50"), "天", 10, "10余天"),
        (Decimal("10.0"), "天", 10, "10天"),
    ],
)
def test_display_follows_the_departments_style(value, unit_word, rounding, written):
    assert display(value, unit_word, rounding) == written


# --- the hand-computed dataset ----------------------------------------------------------------


def _kinds(actor) -> dict[str, RecordKind]:
    """The demo's kinds of the catalogue, as single records without evidence (to keep the data short)."""
    made = {}
    for kind in DEMO_KINDS:
        if kind["code"] in CODES:
            attrs = {k: v for k, v in kind.items() if k != "fields"}
            attrs.update(participation="single", evidence_required=False, attendee_hours=False)
            made[kind["code"]] = kind_create(actor=actor, fields=[dict(f) for f in kind["fields"]], **attrs)
    return made


def _record(actor, reviewer, kind, data, *, day=MARCH, approve=True):
    return RecordFactory(actor=actor, kind=kind, occurred_on=day, data=data, approved_by=reviewer if approve else None)


@pytest.fixture
def dataset(org, users, campaign, password_hash):
    """Records of 阿巴嘎旗 (by 巴依斯古楞, approved by the 阿巴嘎 reviewer) and 锡林浩特市 (by 巴图,
    approved by the 锡林浩特 admin). The counts the figures must give are written beside them."""
    Campaign.objects.create(name="2025年双学双比", start_date=dt.date(2025, 1, 1), end_date=dt.date(2025, 12, 31))
    kinds = _kinds(users.league_admin)
    abag, abag_reviewer = users.cadre, users.abag_reviewer
    xilin = make_user("xcadre", Role.CADRE, org.xilin, password_hash, person=org.xilin_person)
    xilin_reviewer = users.xilin_admin

    def a(code, data, **kw):
        return _record(abag, abag_reviewer, kinds[code], data, **kw)

    def x(code, data, **kw):
        return _record(xilin, xilin_reviewer, kinds[code], data, **kw)

    film = {"title": "初心"}
    # 专题片: 阿巴嘎 3, 锡林浩特 2 — not counted: one submitted, one returned, one of 2025
    for _ in range(3):
        a("feature_film", film)
    a("feature_film", film, approve=False)
    returned = a("feature_film", film, approve=False)
    record_return(actor=abag_reviewer, record=returned, comment="请补充")
    a("feature_film", film, day=dt.date(2025, 6, 1))
    x("feature_film", film)
    x("feature_film", film)
    # 微信公众号刊播转发稿件: 阿巴嘎 3 (the 网站 one is not), 锡林浩特 1
    for channel, origin in (("微信公众号", "原创"), ("微信公众号", "原创"), ("微信公众号", "转发"), ("网站", "原创")):
        a("publicity", {"title": "稿件", "channel": channel, "origin": origin})
    x("publicity", {"title": "稿件", "channel": "微信公众号", "origin": "转发"})
    # 中央、自治区主流媒体: 阿巴嘎 2 (the 盟 one is not)
    for level in ("中央", "自治区", "盟"):
        a("media_publication", {"title": "报道", "medium": "内蒙古日报", "level": level})
    # 播放量: 阿巴嘎 4000 + 226 = 4226, 锡林浩特 10
    for views in ("4000", "226"):
        a("video_views", {"title": "微视频", "platform": "视频号", "views": views, "counted_on": "2026-03-09"})
    x("video_views", {"title": "短视频", "platform": "抖音", "views": "10", "counted_on": "2026-03-09"})
    # 培训班 of the three types: 阿巴嘎 2 (30 + 45 人次; the 业务培训班 is not), 锡林浩特 1 (20 人次)
    for class_type, trainees in (("专题研讨班", "30"), ("轮训班", "45"), ("业务培训班", "100")):
        a("training", {"title": "培训", "class_type": class_type, "days": "2", "trainees": trainees})
    x("training", {"title": "示范培训", "class_type": "示范班", "days": "1", "trainees": "20"})
    # 第一书记: 阿巴嘎 2
    for village in ("巴彦图嘎嘎查", "额尔敦高毕嘎查"):
        a("first_secretary", {"village": village, "start": "2026-03-01"})
    # 办实事: 阿巴嘎 1 (and one waiting for review), 锡林浩特 2
    a("practical_service", {"title": "修缮活动室"})
    a("practical_service", {"title": "送医送药"}, approve=False)
    x("practical_service", {"title": "清理积雪"})
    x("practical_service", {"title": "代办证件"})
    # 组工信息 adopted at 盟 or above (the orginfo app's adoptions): 阿巴嘎 1 — taken by 中组部 and by
    # the 盟 (one item, counted once); another taken by the own bulletin only, a third not at all
    sent = [
        orginfo.item_save(
            actor=abag,
            unit=org.abag,
            title=f"信息{n}",
            text="正文",
            submitted_on=dt.date(2026, 3, 1),
            authors=[org.bayi],
            submit=True,
        )
        for n in range(3)
    ]
    for item, outlet in ((sent[0], "central"), (sent[0], "league"), (sent[1], "own")):
        orginfo.adoption_record(actor=users.league_admin, item=item, outlet=outlet, adopted_on=dt.date(2026, 3, 5))
    # 光荣在党50年纪念章 given: 阿巴嘎 2 in 2026 (and one in 2025), 锡林浩特's section 1
    for seq, (unit, day) in enumerate(
        (
            (org.abag, dt.date(2026, 7, 1)),
            (org.abag, dt.date(2026, 7, 1)),
            (org.abag, dt.date(2025, 7, 1)),
            (org.xilin_section, dt.date(2026, 6, 28)),
        ),
        start=401,
    ):
        veteran = add_person(
            org.abag_section, f"老党员{seq}", seq, political_status="member", full_member_date=dt.date(1970, 1, 1)
        )
        MedalIssue.objects.create(person=veteran, year=day.year, issued_on=day, unit=unit)
    return kinds


LEAGUE = {
    "feature_films": 5,
    "wechat_posts": 4,
    "media_articles": 2,
    "video_views": 4236,
    "training_classes": 3,
    "training_trainees": 95,
    "first_secretaries": 2,
    "practical_services": 3,
    "org_info_adopted": 1,
    "medals": 3,
}
ABAG = {
    "feature_films": 3,
    "wechat_posts": 3,
    "media_articles": 2,
    "video_views": 4226,
    "training_classes": 2,
    "training_trainees": 75,
    "first_secretaries": 2,
    "practical_services": 1,
    "org_info_adopted": 1,
    "medals": 2,
}
XILIN = {
    "feature_films": 2,
    "wechat_posts": 1,
    "media_articles": 0,
    "video_views": 10,
    "training_classes": 1,
    "training_trainees": 20,
    "first_secretaries": 0,
    "practical_services": 2,
    "org_info_adopted": 0,
    "medals": 1,
}


def _values(summary) -> dict:
    return {v.key: v.value for v in summary.values}


def _displays(summary) -> dict:
    return {v.key: v.display for v in summary.values}


@pytest.mark.parametrize(
    "unit, expected", [("league", LEAGUE), ("abag", ABAG), ("xilin", XILIN), ("xilin_section", XILIN), ("league_section", {})]
)
def test_figures_match_the_hand_computed_counts(dataset, org, campaign, unit, expected, django_assert_max_num_queries):
    # settings, kinds, one aggregate, the medals, the 组工信息 adoptions, the draft (+ a section's county)
    with django_assert_max_num_queries(7):
        summary = selectors.summary_for(campaign=campaign, unit=getattr(org, unit))
    assert _values(summary) == (expected or dict.fromkeys(LEAGUE, 0))


def test_records_outside_the_campaign_count_for_their_own(dataset, org):
    last_year = Campaign.objects.get(name="2025年双学双比")
    summary = selectors.summary_for(campaign=last_year, unit=org.league)
    assert _values(summary)["feature_films"] == 1
    assert summary.text == "全盟组织系统拍摄党员教育专题片1部，为全盟光荣在党50年老党员颁发纪念章1枚。"


def test_the_league_text_in_the_departments_style(dataset, org, campaign):
    summary = selectors.summary_for(campaign=campaign, unit=org.league)
    assert summary.text == (
        "全盟组织系统拍摄党员教育专题片5部，微信公众号刊播转发稿件4条（篇），中央、自治区主流媒体刊发稿件2篇，"
        "拍摄微视频、短视频，播放量达4230余次，举办专题研讨班、轮训班、示范班等3期，培训领导干部95人次，"
        "选派2名第一书记，共办好事实事3件，为全盟光荣在党50年老党员颁发纪念章3枚。"
    )
    assert summary.year == 2026


def test_a_county_writes_quan_qi_and_leaves_out_what_it_has_none_of(dataset, org, campaign):
    assert selectors.summary_for(campaign=campaign, unit=org.abag).text.startswith("全旗组织系统拍摄党员教育专题片3部，")
    assert selectors.summary_for(campaign=campaign, unit=org.xilin).text == (
        "全市组织系统拍摄党员教育专题片2部，微信公众号刊播转发稿件1条（篇），拍摄微视频、短视频，播放量达10次，"
        "举办专题研讨班、轮训班、示范班等1期，培训领导干部20人次，共办好事实事2件，为全市光荣在党50年老党员颁发纪念章1枚。"
    )
    section = selectors.summary_for(campaign=campaign, unit=org.xilin_section).text
    assert section.startswith("锡林浩特市委组织部组织股拍摄党员教育专题片2部，")  # below a county: named
    assert selectors.summary_for(campaign=campaign, unit=org.league_section).text == ""


def test_rounding_at_each_boundary_on_the_computed_figures(dataset, org, users, campaign):
    """专题片 at a unit of 3: 锡林浩特 2 (below), 阿巴嘎 3 (on it), 全盟 5 (above); 播放量 at 10:
    锡林浩特 10 (on it), 阿巴嘎 4226 and 全盟 4236 (above); 稿件 at 3: 1 (below), 3 (on), 4 (above)."""
    services.summary_figures_update(actor=users.league_admin, settings={"feature_films": (3, True), "wechat_posts": (3, True)})
    league, abag, xilin = (
        _displays(selectors.summary_for(campaign=campaign, unit=unit)) for unit in (org.league, org.abag, org.xilin)
    )
    assert (xilin["feature_films"], abag["feature_films"], league["feature_films"]) == ("2部", "3部", "3余部")
    assert (xilin["wechat_posts"], abag["wechat_posts"], league["wechat_posts"]) == ("1条（篇）", "3条（篇）", "3余条（篇）")
    assert (xilin["video_views"], abag["video_views"], league["video_views"]) == ("10次", "4220余次", "4230余次")
    assert league["training_trainees"] == "95人次"


def test_a_provider_figure_is_asked_for_the_scope_and_the_dates(dataset, org, campaign, monkeypatch):
    calls = []

    def medals(paths, start, end):
        calls.append((paths, start, end))
        return 2817

    monkeypatch.setitem(figures._PROVIDERS, "medals", medals)
    summary = selectors.summary_for(campaign=campaign, unit=org.abag)
    assert calls == [([org.abag.path], dt.date(2026, 1, 1), dt.date(2026, 12, 31))]
    assert _displays(summary)["medals"] == "2817枚"
    assert summary.text.endswith("共办好事实事1件，为全旗光荣在党50年老党员颁发纪念章2817枚。")


def test_without_its_provider_a_figure_is_not_in_the_catalogue(db, monkeypatch):
    monkeypatch.delitem(figures._PROVIDERS, "medals", raising=False)
    assert "medals" not in [f.key for f in selectors.catalogue()]


# --- the draft --------------------------------------------------------------------------------


def _summary_url(campaign, unit) -> str:
    return f"{reverse('reports:summary')}?campaign={campaign.pk}&unit={unit.pk}"


def test_the_page_shows_the_figures_and_the_drafted_text(
    dataset, org, users, campaign, client_for, django_assert_max_num_queries
):
    client = client_for(users.league_admin)
    client.get(_summary_url(campaign, org.league))  # the session's first request
    with django_assert_max_num_queries(16):
        response = client.get(_summary_url(campaign, org.league))
    page = response.content.decode()
    assert response.status_code == 200
    assert "年度总结 · 2026年 全盟组织系统" in page
    assert "4236" in page and "4230余次" in page
    assert "全盟组织系统拍摄党员教育专题片5部，" in page
    assert "组工信息被盟级以上采用" in page  # in the table, unticked
    assert 'value="org_info_adopted" id="figure-org_info_adopted" aria-label="写入“组工信息被盟级以上采用”">' in page


def test_a_county_admin_drafts_for_their_county_only(dataset, org, users, campaign, client_for):
    client = client_for(users.abag_admin)
    response = client.get(reverse("reports:summary"))
    assert "全旗组织系统拍摄党员教育专题片3部" in response.content.decode()
    assert client.get(_summary_url(campaign, org.xilin)).status_code == 404
    assert client.get(_summary_url(campaign, org.league)).status_code == 404
    assert client.get(f"{reverse('reports:summary')}?unit=abc").status_code == 404


def test_save_an_edited_text_then_the_data_moves_on(dataset, org, users, campaign, client_for):
    client = client_for(users.abag_admin)
    url = _summary_url(campaign, org.abag)
    edited = "全旗组织系统拍摄党员教育专题片3部，好评如潮。"
    response = client.post(url, {"figures": ["feature_films"], "text": edited, "save": "1"})
    assert response.status_code == 302
    draft = SummaryDraft.objects.get(campaign=campaign, unit=org.abag)
    assert (draft.figures, draft.text, draft.generated) == (["feature_films"], edited, "全旗组织系统拍摄党员教育专题片3部。")
    assert AuditEntry.objects.filter(action=services.ACTION_SAVE, actor=users.abag_admin).count() == 1

    # a fourth film approved: the kept text stays as edited, the fresh one is shown beside it
    _record(users.cadre, users.abag_reviewer, dataset["feature_film"], {"title": "榜样"})
    page = client.get(url).content.decode()
    assert edited in page
    assert 'data-testid="summary-fresh"' in page and "全旗组织系统拍摄党员教育专题片4部。" in page

    # 用新生成的正文替换
    client.post(url, {"figures": ["feature_films"], "text": edited, "regenerate": "1"})
    draft.refresh_from_db()
    assert draft.text == "全旗组织系统拍摄党员教育专题片4部。"
    assert 'data-testid="summary-fresh"' not in client.get(url).content.decode()


def test_an_unedited_text_follows_the_figures_chosen(dataset, org, users, campaign):
    draft = services.summary_save(actor=users.abag_admin, campaign=campaign, unit=org.abag, figures=["feature_films"], text="")
    assert draft.text == "全旗组织系统拍摄党员教育专题片3部。"
    draft = services.summary_save(
        actor=users.abag_admin,
        campaign=campaign,
        unit=org.abag,
        figures=["practical_services", "feature_films"],
        text=draft.text,
    )
    assert draft.figures == ["feature_films", "practical_services"]  # catalogue order
    assert draft.text == "全旗组织系统拍摄党员教育专题片3部，共办好事实事1件。"


def test_bad_input_changes_nothing(dataset, org, users, campaign, client_for):
    client = client_for(users.abag_admin)
    url = _summary_url(campaign, org.abag)
    response = client.post(url, {"figures": ["feature_films"], "text": "字" * 20001})
    assert response.status_code == 200
    assert "正文" in response.content.decode() and "20000" in response.content.decode()
    response = client.post(url, {"figures": ["no_such_figure"], "text": ""})
    assert response.status_code == 200 and "no_such_figure" in response.content.decode()
    assert not SummaryDraft.objects.exists()


def test_the_service_checks_scope(dataset, org, users, campaign):
    from django.core.exceptions import PermissionDenied

    for actor, unit in ((users.xilin_admin, org.abag), (users.abag_reviewer, org.abag), (users.cadre, org.abag)):
        with pytest.raises(PermissionDenied):
            services.summary_save(actor=actor, campaign=campaign, unit=unit, figures=[], text="")
    assert not SummaryDraft.objects.exists()


def test_the_export_is_a_docx_libreoffice_opens(dataset, org, users, campaign, client_for, tmp_path):
    services.summary_save(
        actor=users.abag_admin,
        campaign=campaign,
        unit=org.abag,
        figures=["feature_films"],
        text="全旗组织系统拍摄党员教育专题片3部，好评如潮。\n\n第二段。",
    )
    response = client_for(users.abag_admin).get(f"{reverse('reports:summary_export')}?campaign={campaign.pk}&unit={org.abag.pk}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    assert "attachment" in response["Content-Disposition"]
    docx = tmp_path / "summary.docx"
    docx.write_bytes(response.content)
    with zipfile.ZipFile(docx) as archive:  # a real Word file, not text LibreOffice would open anyway
        assert "word/document.xml" in archive.namelist()
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(docx),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    text = "".join(
        subprocess.run(["pdftotext", str(tmp_path / "summary.pdf"), "-"], capture_output=True, text=True).stdout.split()
    )
    assert "关于2026年双学双比活动开展情况的总结" in text
    assert "全旗组织系统拍摄党员教育专题片3部，好评如潮。" in text and "第二段。" in text
    assert "中共阿巴嘎旗委组织部" in text
    assert "发文字号" not in text and "〔" not in text  # a summary, not a numbered notice
    assert AuditEntry.objects.filter(action=services.ACTION_EXPORT, actor=users.abag_admin).count() == 1


def test_an_empty_summary_is_not_exported(org, users, campaign, client_for):
    client = client_for(users.abag_admin)
    response = client.get(f"{reverse('reports:summary_export')}?campaign={campaign.pk}&unit={org.abag.pk}")
    assert response.status_code == 302
    assert "正文为空" in client.get(response["Location"]).content.decode()


# --- the figure settings ----------------------------------------------------------------------


def test_the_league_admin_sets_a_rounding_unit(dataset, org, users, campaign, client_for):
    client = client_for(users.league_admin)
    page = client.get(reverse("reports:summary_figures")).content.decode()
    assert "拍摄党员教育专题片××部" in page and "宣传稿件 记录数（刊播平台为微信公众号）" in page
    assert "培训班 参训人数之和（班次类型为专题研讨班、轮训班、示范班）" in page
    data = {}
    for figure in selectors.catalogue():
        data[f"{figure.key}-rounding_unit"] = figure.rounding_unit or ""
        if figure.included:
            data[f"{figure.key}-included"] = "on"
    data["training_trainees-rounding_unit"] = "10"
    data["org_info_adopted-included"] = "on"
    response = client.post(reverse("reports:summary_figures"), data)
    assert response.status_code == 302
    assert {(s.key, s.rounding_unit, s.included) for s in SummaryFigure.objects.all()} == {
        ("training_trainees", 10, True),
        ("org_info_adopted", None, True),
    }
    assert AuditEntry.objects.filter(action=services.ACTION_FIGURES).count() == 2
    summary = selectors.summary_for(campaign=campaign, unit=org.league)
    assert "培训领导干部90余人次" in summary.text and summary.text.endswith(
        "组工信息被盟级以上采用1篇，为全盟光荣在党50年老党员颁发纪念章3枚。"
    )


def test_a_bad_rounding_unit_is_refused_by_name(dataset, users, client_for):
    client = client_for(users.league_admin)
    response = client.post(reverse("reports:summary_figures"), {"video_views-rounding_unit": "0"})
    assert response.status_code == 200
    assert "微视频、短视频播放量：" in response.content.decode()
    assert not SummaryFigure.objects.exists()
    assert client_for(users.abag_admin).get(reverse("reports:summary_figures")).status_code == 403


# --- the API ----------------------------------------------------------------------------------


def test_the_api_answers_the_figures_and_the_text(dataset, org, users, campaign, api):
    response = api.get(users.league_admin, f"/reports/summary?campaign_id={campaign.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["text"].startswith("全盟组织系统拍摄党员教育专题片5部，")
    assert (body["year"], body["unit"]["name"], body["draft"]) == (2026, "锡林郭勒盟委组织部", None)
    views = next(f for f in body["figures"] if f["key"] == "video_views")
    assert views == {
        "key": "video_views",
        "label": "微视频、短视频播放量",
        "value": 4236,
        "display": "4230余次",
        "unit_word": "次",
        "rounding_unit": 10,
        "chosen": True,
    }
    county = api.get(users.abag_admin, f"/reports/summary?campaign_id={campaign.pk}").json()
    assert county["unit"]["name"] == "阿巴嘎旗委组织部" and county["text"].startswith("全旗组织系统")


def test_the_api_refuses_what_it_should(dataset, org, users, campaign, api):
    assert api.get(users.league_admin, "/reports/summary?campaign_id=999999").status_code == 404
    bad = api.get(users.league_admin, "/reports/summary?campaign_id=abc")
    assert (
        bad.status_code == 422
        and "campaign_id" in bad.json()["detail"][0]["msg"]
        and "应为整数" in bad.json()["detail"][0]["msg"]
    )
    missing = api.get(users.league_admin, "/reports/summary")
    assert missing.status_code == 422 and "必须填写" in missing.json()["detail"][0]["msg"]
    assert api.get(users.abag_admin, f"/reports/summary?campaign_id={campaign.pk}&unit_id={org.xilin.pk}").status_code == 404
    assert api.get(users.cadre, f"/reports/summary?campaign_id={campaign.pk}").status_code == 403
