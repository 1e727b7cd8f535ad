"""Judged contests as a source of points: a published award gives its level's points (a lookup
rule on the level, made by the contest's settings) to each author; withdrawn results reverse
them. Adapts an ``Award`` to the engine's ``Source``; the contests app never imports points."""

from __future__ import annotations

from django.dispatch import receiver

from xuebi.contests import events
from xuebi.contests.models import Award, Contest, ContestStatus

from . import engine, recompute

SOURCE_TYPE = "contest"


def source_from_award(award: Award, contest: Contest) -> engine.Source:
    entry = award.entry
    participants = tuple(
        engine.Participation(person_id=row.person_id, unit_id=row.unit_id, role="author") for row in entry.author_rows.all()
    )
    published = contest.published_at.date() if contest.published_at else contest.review_end
    return engine.Source(
        type=SOURCE_TYPE,
        id=str(entry.pk),
        version=contest.results_version,
        kind=contest.source_kind,
        occurred_on=min(published, contest.review_end),
        label=f"{contest.title}：{award.level}",
        data={"level": award.level},
        participants=participants,
    )


def _awards(contest: Contest):
    return Award.objects.filter(contest=contest).exclude(level="").select_related("entry").prefetch_related("entry__author_rows")


@receiver(events.results_published)
def _published(sender, contest, version, actor, **kwargs):
    for award in _awards(contest):
        engine.award(source_from_award(award, contest), actor=actor)


@receiver(events.results_withdrawn)
def _withdrawn(sender, contest, version, actor, reason, **kwargs):
    for entry_id in contest.entries.values_list("pk", flat=True):
        engine.reverse(SOURCE_TYPE, str(entry_id), reason=reason, actor=actor, version=version)


def published_awards(campaign) -> list[engine.Source]:
    """The contests' sources for a recomputation: the awards of published contests."""
    made = []
    for contest in Contest.objects.filter(status=ContestStatus.PUBLISHED):
        made += [source_from_award(award, contest) for award in _awards(contest)]
    return made


recompute.register_source(SOURCE_TYPE, published_awards)
