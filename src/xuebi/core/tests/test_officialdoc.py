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
from PIL import Image, ImageChops

from xuebi.core import officialdoc as od

DAY = dt.date(2026, 12, 4)
DPI = 150


def _document(number: str = "锡组通〔2026〕12号", authority: str = "中共锡林郭勒盟委组织部", **extra) -> od.Document:
    rows = [[str(i), f"第{i}旗委组织部", str(100 - i), "30"] for i in range(1, 16)]
    return od.Document(
        authority=authority,
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


def _words(pdf, page: int = 1) -> list[tuple[str, float, float, float, float]]:
    """pdftotext's words on a page: text, left, top, right, bottom in mm from the page's top left."""
    xml = _run("pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-")
    mm = 25.4 / 72
    return [
        (text, *(float(v) * mm for v in box))
        for *box, text in re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', xml)
    ]


def _bands(pdf, *, red: bool, page: int = 1) -> list[tuple[float, float, float, float]]:
    """Where the page has ink of one colour (red, or black): runs of rows, as top, bottom, left,
    right in mm."""
    prefix = pdf.parent / f"{pdf.stem}-{page}"
    _run("pdftoppm", "-r", str(DPI), "-png", "-singlefile", "-f", str(page), "-l", str(page), str(pdf), str(prefix))
    r, g, _b = Image.open(f"{prefix}.png").convert("RGB").split()
    if red:
        ink = ImageChops.multiply(r.point(lambda v: 255 * (v > 180)), g.point(lambda v: 255 * (v < 120)))
    else:
        ink = ImageChops.multiply(r.point(lambda v: 255 * (v < 100)), g.point(lambda v: 255 * (v < 100)))
    mm = 25.4 / DPI
    bands: list[list[float]] = []
    for y in range(ink.height):
        box = ink.crop((0, y, ink.width, y + 1)).getbbox()
        if not box:
            continue
        if bands and bands[-1][1] == y - 1:
            bands[-1][1] = y
            bands[-1][2], bands[-1][3] = min(bands[-1][2], box[0]), max(bands[-1][3], box[2])
        else:
            bands.append([y, y, box[0], box[2]])
    return [(top * mm, (bottom + 1) * mm, left * mm, right * mm) for top, bottom, left, right in bands]


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
    assert re.search(r'<w:bottom w:val="single" w:sz="12" w:space="\d+" w:color="FF0000"/>', xml)  # the red line
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


def test_the_red_head_stands_where_the_standard_puts_it(rendered):
    """发文机关标志 35 mm below the 版心's top edge (37 mm), the 发文字号 two lines below it, the red
    line the 版心's width 4 mm under the number, the title under the line."""
    _content, pdf = rendered
    authority, line = _bands(pdf, red=True)[:2]
    assert authority[0] == pytest.approx(37 + 35, abs=1)
    assert 15 < authority[1] - authority[0] < 22 and 120 < authority[3] - authority[2] <= 156  # tall, one line
    assert line[1] - line[0] < 1 and line[2] == pytest.approx(28, abs=0.5) and line[3] == pytest.approx(210 - 26, abs=0.5)
    black = _bands(pdf, red=False)
    number = [band for band in black if authority[1] < band[0] < line[0]]
    assert len(number) == 1 and line[0] - number[0][1] == pytest.approx(4, abs=1)
    assert number[0][0] - authority[1] == pytest.approx(2 * 10.2 + 4.6, abs=2)  # 空二行
    title = min(word[2] for word in _words(pdf) if word[0].startswith("关于"))
    assert 15 < title - line[1] < 30


@pytest.mark.parametrize(
    "authority, size, narrowed",
    [
        ("锡林郭勒盟文件", 60, None),  # as tall as it goes, at its full width
        ("中共锡林郭勒盟委组织部", 60, 64),  # as tall, narrowed to fit the line
        ("中共锡林郭勒盟委组织部中共锡林浩特市委组织部联合", 29.5, 60),  # narrowed as far as it goes, then smaller
    ],
)
def test_the_authority_is_tall_and_narrowed_to_fit_one_line(authority, size, narrowed):
    xml = _xml(od.render_docx(_document(authority=authority)))
    run = next(run for run in re.findall(r"<w:r>.*?</w:r>", xml) if f">{authority}<" in run)
    assert f'<w:sz w:val="{round(size * 2)}"/>' in run
    assert (re.search(r'<w:w w:val="(\d+)"/>', run) or [None, None])[1] == (narrowed and str(narrowed))


def test_the_page_number_is_outside_seven_mm_below_the_text(rendered):
    _content, pdf = rendered
    for page, left, right in ((1, None, 210 - 26 - 4.9), (2, 28 + 4.9, None)):
        number = _bands(pdf, red=False, page=page)[-1]
        assert number[0] == pytest.approx(297 - 35 + 7 - 2.2, abs=1)  # the 一字线 halfway down the digits
        if left:
            assert number[2] == pytest.approx(left, abs=1)
        else:
            assert number[3] == pytest.approx(right, abs=1)


def test_the_date_stands_four_characters_in_with_the_signature_centred_over_it(rendered):
    _content, pdf = rendered
    words = _words(pdf, int(re.search(r"Pages:\s+(\d+)", _run("pdfinfo", str(pdf))).group(1)))
    date = next(word for word in words if word[0] == "二〇二六年十二月四日")
    signature = next(word for word in words if word[0] == "中共锡林郭勒盟委组织部" and word[2] < date[2])
    char = 16 * 25.4 / 72
    assert 210 - 26 - date[3] == pytest.approx(4 * char, abs=1.5)
    assert (signature[1] + signature[3]) / 2 == pytest.approx((date[1] + date[3]) / 2, abs=1)


def test_a_long_signature_stays_two_characters_in_with_the_date_centred_under_it():
    day = dt.date(2026, 1, 1)
    document = od.Document("某单位", "通知", ["正文。"], signature="中共锡林郭勒盟委组织部锡林浩特市委组织部", date=day)
    xml = _xml(od.render_docx(document))
    indents = [int(value) for value in re.findall(r'<w:ind w:right="(\d+)"', xml)]
    signature, date = indents[-2:]
    assert signature == 2 * 16 * 20 and date == pytest.approx(signature + (20 - len(od.chinese_date(day))) / 2 * 16 * 20, abs=1)


def test_a_full_page_holds_22_lines_of_28_characters(tmp_path):
    document = od.Document("某单位", "通知", ["一二三四五六七八九十" * 12] * 12, signature="某单位", date=DAY)
    path = tmp_path / "full.pdf"
    path.write_bytes(od.docx_to_pdf(od.render_docx(document)))
    lines = [line.replace(" ", "") for line in _run("pdftotext", "-layout", "-f", "2", "-l", "2", str(path), "-").splitlines()]
    body = [line for line in lines if line and "—" not in line]
    assert len(body) == 22 and max(len(line) for line in body) == 28


def test_a_draft_says_so_on_every_page(tmp_path):
    for number, where in (("", "（草稿）"), ("锡组通〔2026〕12号", "锡组通〔2026〕12号")):
        path = tmp_path / "draft.pdf"
        path.write_bytes(od.docx_to_pdf(od.render_docx(_document(number=number, draft=True))))
        pages = _run("pdftotext", str(path), "-").split("\f")[:-1]
        assert len(pages) >= 2 and all("草稿·未印发" in "".join(page.split()) for page in pages)
        assert where in "".join(pages[0].split())
    issued = tmp_path / "issued.pdf"
    issued.write_bytes(od.docx_to_pdf(od.render_docx(_document())))
    assert "草稿" not in _run("pdftotext", str(issued), "-")


def test_without_libreoffice_the_pdf_is_refused_in_chinese(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(ValueError, match="服务器未安装 LibreOffice"):
        od.docx_to_pdf(od.render_docx(_document()))


def test_a_long_title_wraps_in_even_lines_without_splitting_a_number(rendered):
    _content, pdf = rendered
    lines = [line.strip().replace(" ", "") for line in _run("pdftotext", "-layout", str(pdf), "-").splitlines()]
    first = lines.index("关于2026年双学双比11月")
    assert lines[first + 1] == "积分排名情况的通报"
