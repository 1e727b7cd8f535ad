"""Every ledger page and API object that shows one record, for every role: expectations from Record.visible_to
(xuebi.testing.scoped). The record is 巴依斯古楞's (阿巴嘎旗), submitted; a draft is only its author's."""
import pytest

from xuebi.ledger.models import Record
from xuebi.testing.helpers import self_study
from xuebi.testing.scoped import NO_BUSINESS_ROLE, Case, scoped_suite


def setup(ns):
    ns.kinds = ns.request.getfixturevalue("kinds")
    ns.submitted = self_study(ns.users.cadre, ns.kinds)
    ns.draft = self_study(ns.users.cadre, ns.kinds, submit=False, content="草稿")


CASES = [
    Case("ledger:detail", model=Record, obj=lambda ns: ns.submitted),
    Case("ledger:detail", model=Record, obj=lambda ns: ns.draft, id="ledger:detail[draft]"),
    Case("ledger:edit", model=Record, obj=lambda ns: ns.draft, action="edit"),
    Case("/api/v1/records/{pk}", model=Record, obj=lambda ns: ns.submitted, api=True),
    Case("/api/v1/records?scope=all", model=Record, obj=lambda ns: ns.submitted, api=True,
         shows=lambda r: f'"id": {r.pk},'),
    # 待审核 lists the submitted record exactly to those who may review it (never to its author)
    Case("ledger:review_queue", model=Record, obj=lambda ns: ns.submitted, action="review",
         shows=lambda r: f"/ledger/{r.pk}/", refused=NO_BUSINESS_ROLE | {"cadre", "judge"}),
    Case("/api/v1/records/{pk}", model=Record, obj=lambda ns: ns.draft, api=True, id="api:records[draft]"),
]

test_scoped = pytest.mark.usefixtures("kinds")(scoped_suite(CASES, setup))

# The code answers these wrong today (ledger is being restructured: fixed there, then the mark goes).
SUBMIT_403 = ("提交 looks the record up for view, not edit: a draft its admins and reviewers can see answers 403 "
              "(只有记录人可以提交), while 修改 and 删除 answer 404")
REVIEW_403 = ("审核 looks the record up for view, not review: the cadre who wrote it (no review role) gets 403, "
              "where a role that may not review the record should get 404")

PATCH_403 = ("PATCH looks the record up for view, then refuses with 403 (只有记录人可以修改该记录) where DELETE of "
             "the same draft answers 404")

WRITES = [
    Case("ledger:delete", model=Record, obj=lambda ns: ns.draft, action="edit", method="post"),
    Case("ledger:submit", model=Record, obj=lambda ns: ns.draft, action="edit", method="post", xfail=SUBMIT_403),
    Case("ledger:edit", model=Record, obj=lambda ns: ns.draft, action="edit", method="post", id="ledger:edit[post]"),
    Case("ledger:review", model=Record, obj=lambda ns: ns.submitted, action="review", method="post", xfail=REVIEW_403),
    Case("/api/v1/records/{pk}/approve", model=Record, obj=lambda ns: ns.submitted, action="review", method="post", api=True,
         xfail=REVIEW_403),
    Case("/api/v1/records/{pk}", model=Record, obj=lambda ns: ns.draft, action="edit", method="patch", api=True,
         data={"data": {"content": "补充后的内容"}}, done_by="cadre", xfail=PATCH_403),
    Case("/api/v1/records/{pk}", model=Record, obj=lambda ns: ns.draft, action="edit", method="delete", api=True,
         done_by="cadre"),
    Case("/api/v1/records/{pk}/submit", model=Record, obj=lambda ns: ns.draft, action="edit", method="post", api=True,
         xfail=SUBMIT_403),
]

test_scoped_writes = pytest.mark.usefixtures("kinds")(scoped_suite(WRITES, setup))
