"""Every study page and API object that shows one list, for every role: expectations from StudyList.visible_to
(xuebi.testing.scoped)."""

import pytest

from xuebi.study import services
from xuebi.study.models import StudyItem, StudyList, StudyNote, StudyPlan
from xuebi.testing.scoped import NO_BUSINESS_ROLE, Case, scoped_suite


def setup(ns):
    ns.study = ns.request.getfixturevalue("study")
    ns.plan = services.study_plan_save(actor=ns.users.cadre, year=2026, title="我的计划", items=[{"text": "一"}])
    ns.note = services.study_note_save(actor=ns.users.cadre, kind="note", title="我的笔记", body="正文")


CASES = [
    Case("study:list_detail", model=StudyList, obj=lambda ns: ns.study.league_list),
    Case("study:list_detail", model=StudyList, obj=lambda ns: ns.study.abag_list, id="study:list_detail[abag]"),
    Case("study:list_detail", model=StudyList, obj=lambda ns: ns.study.draft, id="study:list_detail[draft]"),
    # 管理学习清单 is for admins and reviewers (a cadre reads the lists that reach them on 我的学习)
    Case(
        "study:manage",
        model=StudyList,
        obj=lambda ns: ns.study.abag_list,
        shows=lambda o: o.title,
        refused=NO_BUSINESS_ROLE | {"cadre", "judge"},
    ),
    Case(
        "/api/v1/study/lists",
        model=StudyList,
        obj=lambda ns: ns.study.abag_list,
        api=True,
        shows=lambda o: o.title,
        refused=NO_BUSINESS_ROLE,
    ),
    Case("study:list_edit", model=StudyList, obj=lambda ns: ns.study.abag_list, action="change"),
    # 完成情况 is for admins and reviewers: the other roles are refused the page whatever the list.
    Case(
        "study:list_completion", model=StudyList, obj=lambda ns: ns.study.abag_list, refused=NO_BUSINESS_ROLE | {"cadre", "judge"}
    ),
    Case("/api/v1/study/lists/{pk}", model=StudyList, obj=lambda ns: ns.study.abag_list, api=True, refused=NO_BUSINESS_ROLE),
    Case(
        "/api/v1/study/lists/{pk}",
        model=StudyList,
        obj=lambda ns: ns.study.draft,
        api=True,
        refused=NO_BUSINESS_ROLE,
        id="api:lists[draft]",
    ),
    Case(
        "/api/v1/study/lists/{pk}/completion",
        model=StudyList,
        obj=lambda ns: ns.study.abag_list,
        api=True,
        refused=NO_BUSINESS_ROLE | {"cadre", "judge"},
    ),
    Case("study:item_create", model=StudyList, obj=lambda ns: ns.study.abag_list, action="change"),
]

WRITES = [
    Case(
        "study:list_publish",
        model=StudyList,
        obj=lambda ns: ns.study.draft,
        action="change",
        method="post",
        done_by="league_admin",
    ),
]

# 巴依斯古楞's own plan and note: read in the subtree, written only by their owner.
MINE = [
    Case("study:plan_detail", model=StudyPlan, obj=lambda ns: ns.plan),
    Case("study:plan_edit", model=StudyPlan, obj=lambda ns: ns.plan, action="edit"),
    Case("study:note_detail", model=StudyNote, obj=lambda ns: ns.note),
    Case("study:note_edit", model=StudyNote, obj=lambda ns: ns.note, action="edit"),
    Case("study:note_edit", model=StudyNote, obj=lambda ns: ns.note, action="edit", method="post", id="study:note_edit[post]"),
    Case("study:item_edit", model=StudyItem, obj=lambda ns: ns.study.abag_item, action="change"),
    Case("study:item_delete", model=StudyItem, obj=lambda ns: ns.study.abag_item, action="change", method="post"),
]

test_scoped_mine = pytest.mark.usefixtures("study")(scoped_suite(MINE, setup))

test_scoped = pytest.mark.usefixtures("study")(scoped_suite(CASES, setup))
test_scoped_writes = pytest.mark.usefixtures("study")(scoped_suite(WRITES, setup))
