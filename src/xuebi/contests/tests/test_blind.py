"""Blind review, checked from the judge's side: every page, API answer and downloaded file of a
blind contest that reaches a judge carries no author or unit name — including the file names and
the documents' own metadata (.docx core and app properties, comment authors; PDF info and XMP)."""

import io
import json
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document
from pypdf import PdfReader, PdfWriter

from xuebi.contests.models import Assignment
from xuebi.contests.services import contests as setup
from xuebi.contests.services import entries

from .conftest import make_contest, to_review

NAMES = ["巴依斯古楞", "阿巴嘎", "组织股", "cadre", "Bayi"]


def docx_by_author() -> bytes:
    doc = Document()
    paragraph = doc.add_paragraph("牧区基层党建的几点思考")
    doc.add_comment(paragraph.runs, text="请再核实数据", author="巴依斯古楞", initials="BY")
    props = doc.core_properties
    props.author, props.last_modified_by, props.title = "巴依斯古楞", "Bayi", "阿巴嘎旗委组织部调研"
    props.comments, props.keywords, props.category = "阿巴嘎旗委组织部", "组织股", "cadre"
    out = io.BytesIO()
    doc.save(out)
    # Word writes the company into docProps/app.xml; python-docx does not: add it as Word would
    source = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    made = io.BytesIO()
    with zipfile.ZipFile(made, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "docProps/app.xml":
                data = data.replace(
                    b"</Properties>", "<Company>阿巴嘎旗委组织部</Company><Manager>巴依斯古楞</Manager></Properties>".encode()
                )
            target.writestr(item, data)
    return made.getvalue()


def pdf_by_author() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(300, 300)
    writer.add_metadata({"/Author": "巴依斯古楞", "/Title": "阿巴嘎旗委组织部", "/Creator": "Bayi"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def png_with_text() -> bytes:
    from PIL import Image, PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Bayi")
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, "PNG", pnginfo=info)
    return out.getvalue()


@pytest.fixture
def blind(org, users):
    contest = make_contest(users, blind=True)
    setup.panels_save(
        actor=users.league_admin, contest=contest, panels=[{"name": "评审组", "is_final": False, "judges": [users.judge]}]
    )
    files = [
        SimpleUploadedFile("巴依斯古楞-阿巴嘎调研.docx", docx_by_author()),
        SimpleUploadedFile("巴依斯古楞.pdf", pdf_by_author()),
        SimpleUploadedFile("Bayi照片.png", png_with_text()),
    ]
    entry = entries.entry_submit(
        actor=users.cadre, contest=contest, title="牧区党建调研", text="正文只谈工作", authors=[org.bayi], files=files
    )
    to_review(contest)
    assignment = Assignment.objects.create(entry=entry, judge=users.judge)
    return contest, entry, assignment


def visible_text(content: bytes) -> str:
    return content.decode("utf-8", errors="ignore")


def assert_anonymous(text: str, where: str):
    for name in NAMES:
        assert name not in text, f"{where} 含有“{name}”"


def file_texts(content: bytes) -> str:
    """Everything a file says about itself: every part of a zip package, a PDF's metadata and
    its bytes, an image's info."""
    if content[:2] == b"PK":
        package = zipfile.ZipFile(io.BytesIO(content))
        return "\n".join(package.read(name).decode("utf-8", errors="ignore") for name in package.namelist())
    if content[:4] == b"%PDF":
        reader = PdfReader(io.BytesIO(content))
        meta = json.dumps({k: str(v) for k, v in (reader.metadata or {}).items()}, ensure_ascii=False)
        return meta + visible_text(content)
    from PIL import Image

    with Image.open(io.BytesIO(content)) as image:
        return json.dumps({str(k): str(v) for k, v in image.info.items()}, ensure_ascii=False) + visible_text(content)


def test_the_judges_pages_and_files_name_nobody(client, users, blind):
    contest, entry, assignment = blind
    client.force_login(users.judge)
    pages = [
        reverse("contests:judging_home"),
        reverse("contests:assignment_score", args=[assignment.pk]),
        reverse("contests:contest_detail", args=[contest.pk]),
    ]
    for url in pages:
        answer = client.get(url)
        assert answer.status_code == 200
        body = answer.content.decode()
        assert entry.code in body or url.endswith(f"/{contest.pk}/")
        assert_anonymous(re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body), url)
    for index in range(3):
        answer = client.get(reverse("contests:assignment_file", args=[assignment.pk, index]))
        assert answer.status_code == 200
        disposition = answer["Content-Disposition"]
        assert entry.code in disposition and "%" not in disposition.split("filename=")[1].split(".")[0]
        content = b"".join(answer.streaming_content)
        assert_anonymous(file_texts(content), f"文件 {index}")
    # the files still open as what they are
    docx = client.get(reverse("contests:assignment_file", args=[assignment.pk, 0]))
    assert Document(io.BytesIO(b"".join(docx.streaming_content))).paragraphs[0].text == "牧区基层党建的几点思考"


def test_the_judges_api_names_nobody(api, users, blind):
    contest, entry, assignment = blind
    for path in [
        "/contests/judging",
        f"/contests/judging/{assignment.pk}",
        f"/contests/{contest.pk}",
        f"/contests/{contest.pk}/results",
    ]:
        answer = api.get(users.judge, path)
        assert answer.status_code == 200, path
        assert_anonymous(json.dumps(answer.json(), ensure_ascii=False), path)
    detail = api.get(users.judge, f"/contests/judging/{assignment.pk}").json()
    assert detail["code"] == entry.code and detail["authors"] == [] and detail["unit"] == ""
    for item in detail["files"]:
        answer = api.get(users.judge, item["url"].removeprefix("/api/v1"))
        assert answer.status_code == 200
        assert_anonymous(file_texts(b"".join(answer.streaming_content)) + answer["Content-Disposition"], item["name"])
    # the judge reaches no entry through the entrants' endpoints
    assert api.get(users.judge, f"/contests/entries/{entry.pk}").status_code == 403


def test_the_author_and_organiser_still_see_the_names(client, users, blind):
    contest, entry, _assignment = blind
    client.force_login(users.cadre)
    body = client.get(reverse("contests:entry_detail", args=[entry.pk])).content.decode()
    assert "巴依斯古楞-阿巴嘎调研.docx" in body and entry.code in body


def test_an_open_contest_shows_the_judge_who_wrote_it(org, users):
    contest = make_contest(users, blind=False)
    setup.panels_save(
        actor=users.league_admin, contest=contest, panels=[{"name": "评审组", "is_final": False, "judges": [users.judge]}]
    )
    entry = entries.entry_submit(actor=users.cadre, contest=contest, title="演讲稿", text="执笔：巴依斯古楞", authors=[org.bayi])
    to_review(contest)
    assignment = Assignment.objects.create(entry=entry, judge=users.judge)
    from xuebi.contests.selectors.contests import judge_view

    view = judge_view(assignment)
    assert view.authors == ["巴依斯古楞"] and view.unit == "阿巴嘎旗委组织部 / 组织股"


def test_a_file_whose_metadata_cannot_be_cleaned_is_refused(org, users):
    contest = make_contest(users)
    from django.core.exceptions import ValidationError
    from openpyxl import Workbook

    book = Workbook()
    book.properties.creator = "巴依斯古楞"
    out = io.BytesIO()
    book.save(out)

    with pytest.raises(ValidationError, match="请上传 .docx、PDF 或 JPG/PNG"):
        entries.entry_submit(
            actor=users.cadre,
            contest=contest,
            title="旧格式",
            text="x",
            authors=[org.bayi],
            files=[SimpleUploadedFile("稿子.xlsx", out.getvalue())],
        )
    assert not contest.entries.exists()
