"""The dashboard's pages and its endpoints that name an object, for every role (xuebi.testing.scoped):
admins and reviewers in their reach; a unit or person outside it is a 404."""

from xuebi.org.models import Person, Unit
from xuebi.testing.scoped import NO_BUSINESS_ROLE, Case, scoped_suite

REFUSED = NO_BUSINESS_ROLE | {"cadre", "judge"}


def setup(ns):
    ns.request.getfixturevalue("campaign")  # the dashboard shows the current campaign


CASES = [
    Case(
        "/reports/dashboard/",
        model=Unit,
        obj=lambda ns: ns.org.abag,
        refused=REFUSED,
        scope=lambda user, action: Unit.objects.all(),
        id="dashboard",
    ),
    Case(
        "/reports/screen/",
        model=Unit,
        obj=lambda ns: ns.org.abag,
        refused=REFUSED,
        scope=lambda user, action: Unit.objects.all(),
        id="screen",
    ),
    Case(
        "/api/v1/reports/dashboard/dimensions",
        model=Unit,
        obj=lambda ns: ns.org.abag_section,
        api=True,
        query="unit_id={pk}",
        refused=REFUSED,
    ),
    Case(
        "/api/v1/reports/dashboard/dimensions",
        model=Person,
        obj=lambda ns: ns.org.bayi,
        api=True,
        query="person_id={pk}",
        refused=REFUSED,
        id="api:dimensions[person]",
    ),
]

test_scoped_dashboard = scoped_suite(CASES, setup)
