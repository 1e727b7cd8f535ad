"""The 公文 writer against real tools: the .docx's XML says A4, the GB/T 9704 margins, the line grid and
the official font names; LibreOffice opens it (else it is broken) and the PDF it makes is A4, has its
fonts embedded, and reads back the title, the number, the table, the date in Chinese numerals and
the page numbers."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import zipfile

import pytest

from xuebi.core import officialdoc as od

DAY = dt.date(2026, 12, 4)


def _document(number: str = "锡组通〔2026〕12号", **extra) -> od.Document:
    rows = [[str(i), f"第{i}旗委组织部", str(100 - i), "30"] for i in range(1, 16)]
    return od.Document(
        authority="中共锡林郭勒盟委组织部",
        title="关于2026年双学双比11月积分排名情况的通报",
        number=number,
        recipients="各旗县市区委组织部：",
        body=[
            "为深入推进“双学双比”活动，现将11月积分排名情况通报如下。",
            od.Heading("一、总体情况"),
            od.Table(["名次", "单位", "积分", "人数"], rows, title="表  各旗县市区积分排名", widths=[1, 3, 1, 1]),
            od.Heading("（一）表扬", level=2),
            *["各单位要以此次通报为契机，对照积分规则查漏补缺，做到台账及时记录、及时审核。" * 3] * 4,
        ],
        signature="中共锡林郭勒盟委组织部",
        date=DAY,
        **extra,
    )


def _xml(content: bytes, name: str = "word/document.xml") -> str:
    return zipfile.ZipFile(io.BytesIO(content)).read(name).decode()


def _run(*command, data: bytes | None = None, tmp_path=None) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    content = od.render_docx(_document())
    pdf = od.docx_to_pdf(content)
    path = tmp_path_factory.mktemp("doc") / "notice.pdf"
    path.write_bytes(pdf)
    return content, path


@pytest.mark.parametrize(
    "day, words",
    [
        (dt.date(2026, 12, 4), "二〇二六年十二月四日"),
        (dt.date(2020, 1, 10), "二〇二〇年一月十日"),
        (dt.date(2021, 7, 1), "二〇二一年七月一日"),
        (dt.date(2019, 10, 20), "二〇一九年十月二十日"),
        (dt.date(2000, 11, 31 - 1), "二〇〇〇年十一月三十日"),
        (dt.date(2026, 12, 31), "二〇二六年十二月三十一日"),
    ],
)
def test_the_date_is_written_in_chinese_numerals(day, words):
    assert od.chinese_date(day) == words


def test_the_page_is_a4_with_the_standard_margins_line_grid_and_official_fonts(rendered):
    content, _pdf = rendered
    xml = _xml(content)
    size = re.search(r'<w:pgSz w:w="(\d+)" w:h="(\d+)"', xml).groups()
    assert size == ("11906", "16838")
    margins = dict(re.findall(r'w:(top|left|bottom|right)="(\d+)"', re.search(r"<w:pgMar [^>]+>", xml).group(0)))
    assert abs(int(margins["top"]) - 2098) <= 57  # 天头 37 mm
    assert abs(int(margins["left"]) - 1588) <= 57  # 订口 28 mm
    assert 11906 - int(margins["left"]) - int(margins["right"]) == pytest.approx(8845, abs=3)  # 版心 156 mm
    grid = re.search(r"<w:docGrid [^>]+>", xml).group(0)
    assert 'w:type="lines"' in grid and 16838 - int(margins["top"]) - int(margins["bottom"]) == pytest.approx(
        22 * int(re.search(r'w:linePitch="(\d+)"', grid).group(1)), abs=22
    )
    for font in ("方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312"):
        assert f'w:eastAsia="{font}"' in xml, font
    assert 'w:color w:val="FF0000"' in xml  # the red 发文机关标志
    assert '<w:bottom w:val="single" w:sz="12" w:space="11" w:color="FF0000"/>' in xml  # the red line
    footers = [name for name in zipfile.ZipFile(io.BytesIO(content)).namelist() if name.startswith("word/footer")]
    assert len(footers) >= 2 and "evenAndOddHeaders" in _xml(content, "word/settings.xml")


def test_libreoffice_makes_an_a4_pdf_with_embedded_fonts_that_reads_back(rendered):
    _content, pdf = rendered
    info = _run("pdfinfo", str(pdf))
    assert "A4" in info and int(re.search(r"Pages:\s+(\d+)", info).group(1)) >= 2
    fonts = _run("pdffonts", str(pdf)).splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts)  # emb
    assert any("NotoSerifCJK" in line for line in fonts) and any("NotoSansCJK" in line for line in fonts)
    text = _run("pdftotext", "-layout", str(pdf), "-")
    flat = "".join(text.split())
    for words in ("中共锡林郭勒盟委组织部", "锡组通〔2026〕12号", "积分排名情况的通报", "第15旗委组织部", "二〇二六年十二月四日"):
        assert words in flat, words
    assert "—1—" in flat and "—2—" in flat
    body_lines = [line.strip() for line in text.splitlines() if "各单位要以此次通报为契机" in line]
    assert max(len(line.replace(" ", "")) for line in body_lines) == 28  # 28 characters a full line


def test_rendering_is_deterministic():
    assert od.render_docx(_document()) == od.render_docx(_document())
    assert od.render_docx(_document()) != od.render_docx(_document(number="锡组通〔2026〕13号"))


def test_a_draft_says_so_where_the_number_goes(tmp_path):
    content = od.render_docx(_document(number="", draft=True))
    path = tmp_path / "draft.pdf"
    path.write_bytes(od.docx_to_pdf(content))
    assert "（草稿）" in "".join(_run("pdftotext", str(path), "-").split())


def test_without_libreoffice_the_pdf_is_refused_in_chinese(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(ValueError, match="服务器未安装 LibreOffice"):
        od.docx_to_pdf(od.render_docx(_document()))


def test_a_long_title_wraps_in_even_lines_without_splitting_a_number(rendered):
    _content, pdf = rendered
    lines = [line.strip().replace(" ", "") for line in _run("pdftotext", "-layout", str(pdf), "-").splitlines()]
    first = lines.index("关于2026年双学双比11月")
    assert lines[first + 1] == "积分排名情况的通报"
