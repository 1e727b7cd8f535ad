"""Every org page and API object, for every role: expectations from Unit/Person.visible_to (xuebi.testing.scoped)."""

import datetime as dt

from xuebi.org.models import MedalIssue, Person, Unit
from xuebi.testing.helpers import add_person
from xuebi.testing.scoped import NO_BUSINESS_ROLE, Case, scoped_suite

ROSTER_REFUSED = NO_BUSINESS_ROLE | {"cadre", "judge"}

CASES = [
    Case("org:unit_detail", model=Unit, obj=lambda ns: ns.org.xilin),
    Case("org:unit_detail", model=Unit, obj=lambda ns: ns.org.abag_section, id="org:unit_detail[abag_section]"),
    Case("org:unit_edit", model=Unit, obj=lambda ns: ns.org.abag, action="change"),
    Case("/api/v1/units/{pk}", model=Unit, obj=lambda ns: ns.org.xilin, api=True),
    Case("org:person_detail", model=Person, obj=lambda ns: ns.org.xilin_person),
    Case("org:person_detail", model=Person, obj=lambda ns: ns.org.bayi, id="org:person_detail[bayi]"),
    Case("org:person_edit", model=Person, obj=lambda ns: ns.org.abag_other, action="change"),
    Case("/api/v1/people/{pk}", model=Person, obj=lambda ns: ns.org.xilin_person, api=True),
    Case("/api/v1/people/{pk}", model=Person, obj=lambda ns: ns.org.abag_other, api=True, id="api:people[abag_other]"),
    # 花名册 is for admins and reviewers; 单位 for every business role
    Case("org:person_list", model=Person, obj=lambda ns: ns.org.xilin_person, shows=lambda o: o.name, refused=ROSTER_REFUSED),
    Case(
        "org:person_list",
        model=Person,
        obj=lambda ns: ns.org.abag_other,
        shows=lambda o: o.name,
        id="org:person_list[abag]",
        refused=ROSTER_REFUSED,
    ),
    Case("org:unit_list", model=Unit, obj=lambda ns: ns.org.xilin, shows=lambda o: o.name, refused=NO_BUSINESS_ROLE),
    Case("/api/v1/people", model=Person, obj=lambda ns: ns.org.xilin_person, api=True, shows=lambda o: o.name),
    Case("/api/v1/units", model=Unit, obj=lambda ns: ns.org.xilin, api=True, shows=lambda o: o.name),
]


def picker(person, action):
    """The person picker names only the people the user may pick (``Person.visible_to(user, "pick")``: an
    organizer's subtree, a cadre's colleagues) or change (``action=change``); the 三员 and a user without a role
    name nobody (403)."""
    return Case(
        "org:person_pick",
        model=Person,
        obj=lambda ns: getattr(ns.org, person),
        action=action,
        query=f"q={{obj.name}}&action={action}",
        shows=lambda p: f'"id": {p.pk},',
        refused=NO_BUSINESS_ROLE,
        id=f"org:person_pick[{person},{action}]",
    )


CASES += [
    picker("xilin_person", "pick"),
    picker("abag_other", "pick"),
    picker("abag_other", "change"),
    picker("league_person", "pick"),
]

test_scoped = scoped_suite(CASES)

WRITES = [
    Case(
        "org:unit_edit", model=Unit, obj=lambda ns: ns.org.abag_section, action="change", method="post", id="org:unit_edit[post]"
    ),
    Case("org:unit_toggle_active", model=Unit, obj=lambda ns: ns.org.abag_section, action="change", method="post"),
    Case(
        "org:person_edit",
        model=Person,
        obj=lambda ns: ns.org.abag_other,
        action="change",
        method="post",
        id="org:person_edit[post]",
    ),
    Case("org:person_deactivate", model=Person, obj=lambda ns: ns.org.abag_other, action="change", method="post"),
    # 显示完整身份证号 (audited): for those who may reveal; 隐藏 for those who see the person
    Case(
        "org:person_reveal",
        model=Person,
        obj=lambda ns: ns.org.abag_other,
        action="reveal",
        method="post",
        extra={"field": "id_number"},
        done_by="abag_admin",
        done=200,
    ),
    Case("org:person_mask", model=Person, obj=lambda ns: ns.org.abag_other, method="post", extra={"field": "id_number"}),
    Case(
        "/api/v1/people/{pk}",
        model=Person,
        obj=lambda ns: ns.org.abag_other,
        api=True,
        action="change",
        method="patch",
        data={"position": "股长"},
        done_by="abag_admin",
    ),
    Case(
        "/api/v1/people/{pk}",
        model=Person,
        obj=lambda ns: ns.org.xilin_person,
        api=True,
        action="change",
        method="patch",
        data={"position": "股长"},
        done_by="league_admin",
        id="api:people[xilin_person][patch]",
    ),
]

test_scoped_writes = scoped_suite(WRITES)


# 光荣在党50年纪念章: a medal given to a 1970 member of 阿巴嘎旗's section, for admins only.
def medal_setup(ns):
    veteran = add_person(
        ns.org.abag_section, "乌力吉", 301, political_status="member", full_member_date=dt.date(1970, 5, 4), status="retired"
    )
    ns.medal = MedalIssue.objects.create(person=veteran, year=2026, issued_on=dt.date(2026, 7, 1), unit=ns.org.abag)


MEDAL_REFUSED = NO_BUSINESS_ROLE | {"cadre", "judge", "abag_reviewer"}
MEDALS = [
    Case("org:medal_list", model=MedalIssue, obj=lambda ns: ns.medal, shows=lambda m: m.person.name, refused=MEDAL_REFUSED),
    Case(
        "/api/v1/medals",
        model=MedalIssue,
        obj=lambda ns: ns.medal,
        api=True,
        shows=lambda m: m.person.name,
        refused=MEDAL_REFUSED,
    ),
    Case(
        "org:medal_undo",
        model=MedalIssue,
        obj=lambda ns: ns.medal,
        action="change",
        method="post",
        refused=MEDAL_REFUSED,
        done_by="abag_admin",
    ),
]
test_scoped_medals = scoped_suite(MEDALS, medal_setup)
