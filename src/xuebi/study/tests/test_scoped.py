"""Every study page and API object that shows one list, for every role: expectations from StudyList.visible_to
(xuebi.testing.scoped)."""
import pytest

from xuebi.study.models import StudyList
from xuebi.testing.scoped import NO_BUSINESS_ROLE, Case, scoped_suite


def setup(ns):
    ns.study = ns.request.getfixturevalue("study")


CASES = [
    Case("study:list_detail", model=StudyList, obj=lambda ns: ns.study.league_list),
    Case("study:list_detail", model=StudyList, obj=lambda ns: ns.study.abag_list, id="study:list_detail[abag]"),
    Case("study:list_detail", model=StudyList, obj=lambda ns: ns.study.draft, id="study:list_detail[draft]"),
    Case("study:list_edit", model=StudyList, obj=lambda ns: ns.study.abag_list, action="change"),
    # 完成情况 is for admins and reviewers: the other roles are refused the page whatever the list.
    Case("study:list_completion", model=StudyList, obj=lambda ns: ns.study.abag_list,
         refused=NO_BUSINESS_ROLE | {"cadre", "judge"}),
    Case("/api/v1/study/lists/{pk}", model=StudyList, obj=lambda ns: ns.study.abag_list, api=True, refused=NO_BUSINESS_ROLE),
    Case("/api/v1/study/lists/{pk}", model=StudyList, obj=lambda ns: ns.study.draft, api=True, refused=NO_BUSINESS_ROLE, id="api:lists[draft]"),
]

test_scoped = pytest.mark.usefixtures("study")(scoped_suite(CASES, setup))
