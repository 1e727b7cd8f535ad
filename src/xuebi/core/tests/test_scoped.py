"""core's scoped endpoint, for every role (xuebi.testing.scoped): the person picker names only the people the
user may pick (``Person.visible_to(user, "pick")``: an organizer's subtree, a cadre's colleagues), or change
(``action=change``); the 三员 and a user without a role name nobody (403)."""
from xuebi.org.models import Person
from xuebi.testing.scoped import NO_BUSINESS_ROLE, Case, scoped_suite


def picker(person, action):
    return Case("core:person_pick", model=Person, obj=lambda ns: getattr(ns.org, person), action=action,
                query=f"q={{obj.name}}&action={action}", shows=lambda p: f'"id": {p.pk},', refused=NO_BUSINESS_ROLE,
                id=f"core:person_pick[{person},{action}]")


CASES = [
    picker("xilin_person", "pick"),
    picker("abag_other", "pick"),
    picker("abag_other", "change"),
    picker("league_person", "pick"),
]

test_scoped = scoped_suite(CASES)
