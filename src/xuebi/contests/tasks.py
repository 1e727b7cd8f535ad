"""The contests' background work, registered with the jobs module from ``ContestsConfig.ready``:
the certificates (奖状) of a published contest — LibreOffice takes a few seconds for a page of
every winner — as a job with its progress, started when the results are published (and again
from the results page)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from xuebi.jobs import services as jobs
from xuebi.jobs.models import Job

from . import certificates
from .models import Award, Certificate, Contest, ContestStatus

CERTIFICATES = "contests.certificates"


def start_certificates(*, actor, contest: Contest) -> Job:
    return jobs.start(CERTIFICATES, owner=actor, params={"contest": contest.pk}, total=3)


def certificates_job(job: Job, progress: jobs.Progress) -> jobs.Done:
    contest = (
        Contest.objects.visible_to(job.owner, "change").filter(pk=job.params.get("contest")).select_related("organizer").first()
    )
    if contest is None:
        raise ValidationError("评比已不存在，或您无权生成奖状。")
    if contest.status != ContestStatus.PUBLISHED:
        raise ValidationError("评比结果尚未公布，不能生成奖状。")
    awards = list(
        Award.objects.filter(contest=contest)
        .exclude(level="")
        .select_related("entry")
        .prefetch_related("entry__author_rows__person")
        .order_by("place", "entry__code")
    )
    day = timezone.localtime(contest.published_at).date() if contest.published_at else timezone.localdate()
    people, citations = [], []
    for award in awards:
        for row in award.entry.author_rows.all():
            number = f"{day.year}{contest.pk:03d}-{len(citations) + 1:03d}"
            people.append((award, row.person, number))
            citations.append(
                certificates.Citation(
                    name=row.person.name,
                    title=award.entry.title,
                    contest=contest.title,
                    level=award.level,
                    issuer=contest.organizer.name,
                    day=day,
                    number=number,
                )
            )
    progress(1, 3)
    combined, pages = certificates.render(citations)
    progress(2, 3)
    with transaction.atomic():
        Certificate.objects.filter(award__contest=contest).delete()
        for (award, person, number), page in zip(people, pages, strict=True):
            name = certificates.store(f"certificates/{contest.pk}/{number}.pdf", page)
            Certificate.objects.create(award=award, person=person, number=number, pdf=name)
    progress(3, 3)
    return jobs.Done(
        summary=f"已生成 {len(citations)} 张奖状。",
        result={"contest": contest.pk, "count": len(citations)},
        file_name=f"{contest.title}-奖状.pdf",
        content=combined,
    )


def register() -> None:
    jobs.register(CERTIFICATES, certificates_job, label="生成奖状", template="contests/_certificates_job.html")
