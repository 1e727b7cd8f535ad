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
from django.core.cache import caches
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from xuebi.audit.models import Action
from xuebi.audit.services import audit_record
from xuebi.campaign.models import Campaign
from xuebi.org.choices import Role
from xuebi.org.models import Person
from xuebi.org.scoping import has_role
from xuebi.org.selectors import unit_labels

from . import engine
from .models import EntryType, JobStatus, PersonTotal, PointEntry, RecomputePreview

__all__ = ["register_source", "preview", "apply", "preview_start", "run_preview", "latest_preview", "progress_of", "shown"]

PROGRESS_EVERY = 10  # sources between two progress reports of a background preview (a cache write each)

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
    rows = [{"person_id": pid, "name": found.get(pid, ("", ""))[0], "unit": found.get(pid, ("", ""))[1],
             "before": before.get(pid, Decimal(0)), "after": after.get(pid, Decimal(0))} for pid in ids]
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
def apply(*, actor, campaign: Campaign) -> list[dict]:
    _require(actor)
    before = _totals(campaign)
    _recompute(campaign, actor)
    changes = _changes(before, _totals(campaign))
    audit_record(actor=actor, action=Action.POINTS_RECOMPUTE, target=campaign, changes={
        "people_changed": [None, len(changes)],
        "gained": [None, sum(1 for r in changes if r["change"] > 0)],
        "lost": [None, sum(1 for r in changes if r["change"] < 0)],
    })
    return changes


# --- the preview as a job: at once when small, in the background when large ----------------------

def _stored(rows: list[dict]) -> list[dict]:
    return [{**row, **{k: str(row[k]) for k in ("before", "after", "change")}} for row in rows]


def shown(job: RecomputePreview) -> list[dict]:
    """A finished preview's rows with their figures as numbers again."""
    return [{**row, **{k: Decimal(row[k]) for k in ("before", "after", "change")}} for row in job.result]


def latest_preview(*, actor, campaign: Campaign) -> RecomputePreview | None:
    """The league admin's last preview of the campaign, for the page to show on a visit."""
    _require(actor)
    return RecomputePreview.objects.filter(campaign=campaign, requested_by=actor).first()


def preview_start(*, actor, campaign: Campaign) -> RecomputePreview:
    """Ask for a preview: with at most ``settings.XUEBI_RECOMPUTE_INLINE`` sources it is computed
    now; with more it runs in the background (a task, enqueued when the request's transaction
    commits; ``xuebi recompute_previews`` runs any left waiting), and the page follows its progress. Nothing table-wide runs on a GET: only this POST starts one."""
    _require(actor)
    if campaign.is_closed:
        raise ValidationError(f"活动“{campaign.name}”已结束，积分已定，不能重算。")
    job = RecomputePreview.objects.create(campaign=campaign, requested_by=actor, generation=campaign.points_generation)
    total = sum(1 for provider in SOURCES.values() for _ in provider(campaign))
    if total <= settings.XUEBI_RECOMPUTE_INLINE:
        run_preview(job.pk)
        job.refresh_from_db()
    else:
        from .tasks import recompute_preview

        RecomputePreview.objects.filter(pk=job.pk).update(total=total)
        transaction.on_commit(lambda: recompute_preview.enqueue(job.pk))
    return job


def run_preview(pk: int) -> None:
    """Compute one waiting preview. Its progress goes to the cache (``progress_of``), not to the
    row: the recomputation runs in a transaction that is rolled back, and on SQLite it holds the
    database's write lock, so no write of the row could be seen, or made, until it ends."""
    claimed = RecomputePreview.objects.filter(pk=pk, status=JobStatus.QUEUED).update(status=JobStatus.RUNNING)
    if not claimed:
        return  # another worker has it, or it is done
    job = RecomputePreview.objects.select_related("campaign", "requested_by").get(pk=pk)
    try:
        rows = preview(actor=job.requested_by, campaign=job.campaign,
                       progress=lambda done, total: progress_cache().set(_progress_key(pk), (done, total), PROGRESS_SECONDS))
    except (ValidationError, PermissionDenied) as exc:
        message = " ".join(getattr(exc, "messages", [str(exc)]))
        RecomputePreview.objects.filter(pk=pk).update(status=JobStatus.FAILED, error=message[:500], finished_at=timezone.now())
        return
    RecomputePreview.objects.filter(pk=pk).update(status=JobStatus.DONE, result=_stored(rows), finished_at=timezone.now(),
                                                  done=F("total"))
    progress_cache().delete(_progress_key(pk))


PROGRESS_SECONDS = 3600


def progress_cache():
    """Where a running task's progress is kept: seen by every process (settings.CACHES["progress"])."""
    return caches["progress"]


def _progress_key(pk: int) -> str:
    return f"points-recompute-preview-{pk}"


def progress_of(job: RecomputePreview) -> tuple[int, int]:
    """(done, total) of a running preview: from the progress cache (written by the worker), else
    from the row."""
    if job.finished:
        return job.total, job.total
    return progress_cache().get(_progress_key(job.pk)) or (job.done, job.total)
