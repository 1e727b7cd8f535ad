"""业务讲堂 (组工干部上讲台) reads and the rotation rule.

The rule (``next_presenter``): the next presenter is the member who has presented the fewest
times, ties broken by rotation position. So everyone presents once before anyone presents twice,
and a member who was absent when their turn came — skipped, the session going to the next
eligible member — has presented fewer times than the others and comes first next time (补讲).

"Presented" counts the sessions a member holds the lectern for that are planned or held (not
cancelled): two sessions planned ahead of time must not both go to the same person.

Also here: the reads of series and sessions that depend on who is asking, and which fields of a
lecture kind a session answers itself. The writes are in ``services.lectures``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Hashable, Mapping, Sequence
from typing import Any, TypeVar

from django.db.models import Count, Q

from xuebi.org.choices import PersonStatus
from xuebi.org.models import Person, Unit
from xuebi.org.scoping import subtree_q, unit_paths

from ..choices import FieldType, LectureStatus
from ..models import LectureMember, LectureSeries, LectureSession


LECTURE_KIND_CODE = "business_lecture"
COUNTED = (LectureStatus.PLANNED, LectureStatus.HELD)

T = TypeVar("T", bound=Hashable)


# --- the rule -----------------------------------------------------------------------------------


def next_presenter(members: Sequence[T], presented: Mapping[T, int], *, skip: Collection[T] = ()) -> T | None:
    """The member to present next: fewest presentations, then earliest rotation position.

    ``members`` in rotation order; ``presented`` how many sessions each has presented (missing
    means none); ``skip`` those who cannot present this time (absent). None when nobody can.
    """
    best, best_key = None, None
    for position, member in enumerate(members):
        if member in skip:
            continue
        key = (presented.get(member, 0), position)
        if best_key is None or key < best_key:
            best, best_key = member, key
    return best


def presented_counts(sessions, *, exclude: int | None = None) -> Counter:
    """{person id: sessions planned or held} from the series' sessions (already loaded)."""
    return Counter(s.presenter_id for s in sessions if s.status in COUNTED and s.pk != exclude)


def proposed_presenter(members: list[LectureMember], sessions) -> Person | None:
    """Who the rule proposes for the next session (for the plan form and the series page)."""
    people = [m.person for m in members]
    counts = presented_counts(sessions)
    return next_presenter(people, {p: counts.get(p.pk, 0) for p in people})


# --- scope helpers ------------------------------------------------------------------------------


def units_for_series(user):
    """Units in which the user may run a series: the subtrees of their change-role grants."""
    paths = unit_paths(user, LectureSeries.scope_roles["change"])
    return Unit.objects.filter(subtree_q(paths, ""), is_active=True)


def default_members(actor, unit: Unit):
    """Active people of the unit and its sections, as the roster orders them."""
    return (
        Person.objects.visible_to(actor, "pick")
        .filter(unit__path__startswith=unit.path, status=PersonStatus.ACTIVE)
        .select_related("unit")
    )


def with_counts(series):
    """A list of series with how many sessions were held and how many members each has."""
    return (
        series.select_related("unit")
        .annotate(
            # distinct: the two counts join two tables, which would multiply each other
            held=Count("sessions", filter=Q(sessions__status=LectureStatus.HELD), distinct=True),
            member_count=Count("members", distinct=True),
        )
        .order_by("-is_active", "-created_at", "-pk")
    )


def sessions_visible_to(user, action: str = "view"):
    """Sessions of the series the user may see (sessions have no unit of their own)."""
    return LectureSession.objects.filter(series__in=LectureSeries.objects.visible_to(user, action))


# Field definitions a lecture kind is likely to have, recognised by key or label, so the record a
# held session becomes carries its topic and presenter without the organizer typing them twice.
_TOPIC_KEYS, _TOPIC_WORDS = {"topic", "title", "subject", "theme"}, ("主题", "题目", "课题", "专题", "讲题")
_PRESENTER_KEYS, _PRESENTER_WORDS = {"presenter", "speaker", "lecturer"}, ("主讲", "授课", "讲授", "宣讲人")


def _matches(definition: dict, keys: set[str], words: tuple[str, ...]) -> bool:
    return definition["key"] in keys or any(w in definition["label"] for w in words)


def session_answered(definitions: list[dict]) -> tuple[list[str], str | None]:
    """(keys of presenter fields, key of the topic field): the fields a session fills itself,
    which the held form therefore does not ask for again."""
    presenters = [
        d["key"] for d in definitions if d["type"] == FieldType.PERSON and _matches(d, _PRESENTER_KEYS, _PRESENTER_WORDS)
    ]
    topic = next(
        (
            d["key"]
            for d in definitions
            if d["type"] in (FieldType.TEXT, FieldType.TEXTAREA) and _matches(d, _TOPIC_KEYS, _TOPIC_WORDS)
        ),
        None,
    )
    return presenters, topic


def prefill_data(definitions: list[dict], *, presenter: Person, topic: str) -> dict:
    """Record data (stored form, see schema.py) for the fields the session already answers."""
    presenter_keys, topic_key = session_answered(definitions)
    data: dict[str, Any] = {key: {"id": presenter.pk, "name": presenter.name} for key in presenter_keys}
    if topic_key and topic:
        data[topic_key] = topic
    return data
