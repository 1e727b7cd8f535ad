"""The points app's background tasks (Django's tasks API, issue 14). Each is idempotent: a task that
runs twice, or again after a worker restart, claims its work once (``recompute.run_preview``)."""
from __future__ import annotations

from django_tasks import task

from . import recompute


@task()
def recompute_preview(pk: int) -> None:
    """Compute one waiting 重算积分 preview (queued by ``recompute.preview_start``)."""
    recompute.run_preview(pk)
