"""奖状: publishing starts the certificates job; each winner's PDF names them, their work and
their level — read back by pdftotext — and the combined PDF has a page per winner."""

import subprocess

import pytest

from xuebi.contests.models import Assignment, Certificate, Stage
from xuebi.contests.services import contests as setup
from xuebi.contests.services import results
from xuebi.contests.tasks import CERTIFICATES
from xuebi.jobs import services as jobs
from xuebi.jobs.models import Job

from .conftest import make_contest, score_all, submit, to_review


def pdf_text(content: bytes, tmp_path, name="c.pdf") -> str:
    path = tmp_path / name
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def pages(content: bytes) -> int:
    import io

    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def published(org, users, judges, people):
    contest = make_contest(users, judges_per_entry=2, levels="一等奖 1 0\n二等奖 1 0")
    setup.panels_save(
        actor=users.league_admin,
        contest=contest,
        panels=[{"name": "评审组", "is_final": False, "judges": [judges.j1, judges.j2]}],
    )
    made = [
        submit(users, contest, person, title) for person, title in zip(people.abag, ["草原上的党课", "牧区调研札记", "第三篇"])
    ]
    Assignment.objects.bulk_create(
        [Assignment(entry=e, judge=j, stage=Stage.PRELIM) for e in made for j in (judges.j1, judges.j2)]
    )
    to_review(contest)
    score_all(contest, lambda a: {made[0].pk: 90, made[1].pk: 80, made[2].pk: 70}[a.entry_id])
    results.publish(actor=users.league_admin, contest=contest)
    return contest, made


def test_publishing_makes_a_certificate_per_winner(published, org, users, tmp_path, client):
    contest, made = published
    job = Job.objects.get(kind=CERTIFICATES)
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.status == "done", job.error if hasattr(job, "error") else job.status
    certs = list(Certificate.objects.order_by("number").select_related("person", "award"))
    assert [(c.person.name, c.award.level) for c in certs] == [("巴依斯古楞", "一等奖"), ("王芳", "二等奖")]
    text = pdf_text(certs[0].pdf.read(), tmp_path)
    for words in ("荣誉证书", "巴依斯古楞同志", "《草原上的党课》", "一等奖", "锡林郭勒盟委组织部", certs[0].number):
        assert words in text.replace(" ", ""), words
    assert pages(certs[0].pdf.open("rb").read()) == 1
    client.force_login(users.cadre)
    answer = client.get(f"/contests/certificates/{certs[0].pk}/")
    assert answer.status_code == 200 and b"".join(answer.streaming_content)[:4] == b"%PDF"
    # 王芳's certificate is not 巴依斯古楞's to download: her entry is not his
    assert client.get(f"/contests/certificates/{certs[1].pk}/").status_code == 404
    client.force_login(users.league_admin)
    combined = client.get(f"/jobs/{job.pk}/download")
    assert combined.status_code == 200
    assert pages(b"".join(combined.streaming_content)) == 2
