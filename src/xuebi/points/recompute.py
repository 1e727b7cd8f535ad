"""Recomputation after a rule changes: preview who gains and who loses, then apply.

Applying reverses every standing rule-based award of the campaign, starts a new generation and
awards every approved source again, oldest first, so caps apply in the order things happened.
Nothing is lost: the old awards and their reversals stay in the journal; manual adjustments
are untouched. The preview runs the very same code inside a transaction that is rolled back.

Sources come from providers registered by their clients (the ledger registers its approved
records in ``receivers.py``); the engine itself still knows only ``Source``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal


from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from xuebi.audit.models import Action
from xuebi.audit.services import audit_record
from xuebi.campaign.models import Campaign
from xuebi.jobs import services as jobs
from xuebi.jobs.models import Job
from xuebi.org.choices import Role
from xuebi.org.models import Person
from xuebi.org.scoping import has_role
from xuebi.org.selectors import unit_labels

from . import engine
from .models import EntryType, PersonTotal, PointEntry

__all__ = [
    "register_source",
    "preview",
    "apply",
    "source_count",
    "is_large",
    "start_if_large",
    "preview_start",
    "apply_start",
    "preview_job",
    "apply_job",
    "run_preview",
    "latest_preview",
    "progress_of",
    "shown",
]

PROGRESS_EVERY = 10  # sources between two progress reports of a background job (a cache write each)

SOURCES: dict[str, Callable[[Campaign], Iterable[engine.Source]]] = {}


def register_source(source_type: str, provider: Callable[[Campaign], Iterable[engine.Source]]) -> None:
    """``provider(campaign)`` yields every approved or final source dated within the campaign."""
    SOURCES[source_type] = provider


class _Rollback(Exception):
    pass


def _totals(campaign: Campaign) -> dict[int, Decimal]:
    return dict(PersonTotal.objects.overall().filter(campaign=campaign).values_list("person_id", "total"))


def _sources(campaign: Campaign) -> list[engine.Source]:
    sources = [source for provider in SOURCES.values() for source in provider(campaign)]
    return sorted(sources, key=lambda s: (s.occurred_on, s.type, int(s.id) if s.id.isdigit() else 0, s.id))


def _recompute(campaign: Campaign, actor, progress: Callable[[int, int], None] | None = None) -> None:
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.is_closed:
        raise ValidationError(f"活动“{campaign.name}”已结束，积分已定，不能重算。")
    standing = PointEntry.objects.filter(campaign=campaign, entry_type=EntryType.AWARD, reversed_by__isnull=True)
    engine.reverse_entries(standing, reason="积分规则调整后重算", actor=actor)
    campaign.points_generation += 1
    campaign.save(update_fields=["points_generation", "updated_at"])
    sources = _sources(campaign)
    if progress is not None:  # the reversals are done: the awards, one by one, are what is left
        progress(0, len(sources))
    for done, source in enumerate(sources, start=1):
        engine.award(source, actor=actor)
        if progress is not None and (done % PROGRESS_EVERY == 0 or done == len(sources)):
            progress(done, len(sources))


def _require(actor) -> None:
    if not has_role(actor, Role.LEAGUE_ADMIN):
        raise PermissionDenied("只有盟级管理员可以重算积分。")


def _changes(before: dict[int, Decimal], after: dict[int, Decimal]) -> list[dict]:
    """Who changes, the biggest change first (gain or loss), each with the unit they are in now
    (labelled as lists label units: 阿巴嘎旗委组织部 · 组织股)."""
    ids = {pid for pid in before.keys() | after.keys() if before.get(pid, 0) != after.get(pid, 0)}
    people = list(Person.objects.filter(pk__in=ids).values_list("pk", "name", "unit__path", "unit__name", "unit__depth"))
    labels = unit_labels((path, unit, depth) for _pk, _name, path, unit, depth in people)
    found = {pk: (name, labels[path]) for pk, name, path, _unit, _depth in people}
    rows = [
        {
            "person_id": pid,
            "name": found.get(pid, ("", ""))[0],
            "unit": found.get(pid, ("", ""))[1],
            "before": before.get(pid, Decimal(0)),
            "after": after.get(pid, Decimal(0)),
        }
        for pid in ids
    ]
    for row in rows:
        row["change"] = row["after"] - row["before"]
    return sorted(rows, key=lambda r: (-abs(r["change"]), r["change"], r["name"], r["person_id"]))


def preview(*, actor, campaign: Campaign, progress: Callable[[int, int], None] | None = None) -> list[dict]:
    """Who would gain and who would lose, by how much — nothing is written. ``progress(done,
    total)``: called as the sources are awarded again (every ``PROGRESS_EVERY``)."""
    _require(actor)
    before = _totals(campaign)
    result: list[dict] = []
    try:
        with transaction.atomic():
            _recompute(campaign, actor, progress)
            result = _changes(before, _totals(campaign))
            raise _Rollback
    except _Rollback:
        pass
    return result


@transaction.atomic
def apply(*, actor, campaign: Campaign, progress: Callable[[int, int], None] | None = None) -> list[dict]:
    _require(actor)
    before = _totals(campaign)
    _recompute(campaign, actor, progress)
    changes = _changes(before, _totals(campaign))
    audit_record(
        actor=actor,
        action=Action.POINTS_RECOMPUTE,
        target=campaign,
        changes={
            "people_changed": [None, len(changes)],
            "gained": [None, sum(1 for r in changes if r["change"] > 0)],
            "lost": [None, sum(1 for r in changes if r["change"] < 0)],
        },
    )
    return changes


# --- preview and apply as jobs: at once when small, in the background when large ------------------

PREVIEW = "points.recompute_preview"
APPLY = "points.recompute_apply"


def source_count(campaign: Campaign) -> int:
    return sum(1 for provider in SOURCES.values() for _ in provider(campaign))


def is_large(campaign: Campaign) -> bool:
    """More sources than ``settings.XUEBI_RECOMPUTE_INLINE``: the work goes to a background job."""
    return source_count(campaign) > settings.XUEBI_RECOMPUTE_INLINE


def _stored(rows: list[dict]) -> list[dict]:
    return [{**row, **{k: str(row[k]) for k in ("before", "after", "change")}} for row in rows]


def shown(result: list[dict]) -> list[dict]:
    """A finished job's rows (``job.result``) with their figures as numbers again."""
    return [{**row, **{k: Decimal(row[k]) for k in ("before", "after", "change")}} for row in result]


def latest_preview(*, actor, campaign: Campaign) -> Job | None:
    """The league admin's last preview of the campaign, for the page to show on a visit."""
    _require(actor)
    return Job.objects.filter(kind=PREVIEW, owner=actor, params__campaign=campaign.pk).first()


def _start(kind: str, *, actor, campaign: Campaign, inline: bool | None = None) -> Job:
    _require(actor)
    if campaign.is_closed:
        raise ValidationError(f"活动“{campaign.name}”已结束，积分已定，不能重算。")
    total = source_count(campaign)
    return jobs.start(
        kind,
        owner=actor,
        params={"campaign": campaign.pk, "generation": campaign.points_generation},
        total=total,
        inline=total <= settings.XUEBI_RECOMPUTE_INLINE if inline is None else inline,
    )


def preview_start(*, actor, campaign: Campaign) -> Job:
    """Ask for a preview: with at most ``settings.XUEBI_RECOMPUTE_INLINE`` sources it is computed
    now; with more it is a background job (enqueued when the request's transaction commits), and
    the page follows its progress. Nothing table-wide runs on a GET: only this POST starts one."""
    return _start(PREVIEW, actor=actor, campaign=campaign)


def apply_start(*, actor, campaign: Campaign) -> Job:
    """Apply in the background (a large campaign): the job page shows its progress, then the changes."""
    return _start(APPLY, actor=actor, campaign=campaign, inline=False)


def start_if_large(kind: str, *, actor, campaign: Campaign) -> Job | None:
    """The API's choice: a background job (answered 202) when the campaign has more sources than
    ``settings.XUEBI_RECOMPUTE_INLINE``, else ``None`` and the caller computes it now."""
    _require(actor)
    if not is_large(campaign):
        return None
    return _start(kind, actor=actor, campaign=campaign, inline=False)


def _job_campaign(job: Job) -> Campaign:
    campaign = Campaign.objects.filter(pk=job.params.get("campaign")).first()
    if campaign is None:
        raise ValidationError("活动已不存在。")
    return campaign


def preview_job(job: Job, progress: jobs.Progress) -> jobs.Done:
    """A preview job's work (registered in tasks.py). Its progress goes to the cache: the
    recomputation runs in a transaction that is rolled back."""
    rows = preview(actor=job.owner, campaign=_job_campaign(job), progress=progress)
    return jobs.Done(
        summary=f"共{len(rows)}人积分变化。" if rows else "按当前规则重算，没有人的积分会变化。", result=_stored(rows)
    )


def apply_job(job: Job, progress: jobs.Progress) -> jobs.Done:
    """An apply job's work: ``apply``, audited as the league admin who asked for it."""
    rows = apply(actor=job.owner, campaign=_job_campaign(job), progress=progress)
    return jobs.Done(summary=f"已重算：{len(rows)}人积分变化，明细中记录了冲销和新的得分。", result=_stored(rows))


def run_preview(pk: int) -> bool:
    """Run one waiting preview job (what the worker's task does)."""
    return jobs.run(pk)


progress_of = jobs.progress_of
