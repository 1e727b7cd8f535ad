"""The 公文 writer alone (``core.officialdoc``): the median of rendering a monthly notice's .docx
(13 旗县市区 or a 50-row ranking, two pages) and of converting it to PDF with LibreOffice — cold
(no profile yet: the first conversion in a fresh data dir) and warm (the profile kept under the
data dir, as in production). Not a test: nothing here passes or fails.

    PYTHONPATH=src .venv/bin/python bench/officialdoc.py      # BENCH_RUNS=N (default 30; PDFs: N/3)
"""

from __future__ import annotations

import datetime as dt
import shutil
import statistics
import tempfile
import time

from common import RUNS, median_ms, table  # sets up Django first

from django.conf import settings  # noqa: E402

from xuebi.core import officialdoc as od  # noqa: E402


def notice(rows: int) -> od.Document:
    ranking = [[str(i), f"第{i}旗县市区委组织部", f"{1000 - i * 7}", f"{40 + i}", "↑1"] for i in range(1, rows + 1)]
    return od.Document(
        authority="中共锡林郭勒盟委组织部",
        title="关于2026年双学双比11月积分排名情况的通报",
        number="锡组通〔2026〕12号",
        recipients="各旗县市区委组织部：",
        body=[
            "为深入推进“双学双比”活动，激励全盟组织系统干部比学赶超，现将11月积分排名情况通报如下。",
            od.Heading("一、总体情况"),
            od.Table(["名次", "单位", "积分", "人数", "升降"], ranking, title="表  各旗县市区积分排名", widths=[1, 4, 1.5, 1, 1]),
            od.Heading("二、下步要求"),
            "各单位要以此次通报为契机，对照积分规则查漏补缺，做到台账及时记录、及时审核，确保积分真实准确。",
        ],
        signature="中共锡林郭勒盟委组织部",
        date=dt.date(2026, 12, 4),
    )


def seconds(fn, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def main() -> int:
    runs = max(3, RUNS // 3)
    rows = []
    for size in (13, 50):
        document = notice(size)
        docx = od.render_docx(document)
        render = median_ms(lambda document=document: od.render_docx(document))

        def cold(docx=docx):
            fresh = tempfile.mkdtemp(prefix="xuebi-bench-lo-")
            kept, settings.DATA_DIR = settings.DATA_DIR, fresh
            try:
                od.docx_to_pdf(docx)
            finally:
                settings.DATA_DIR = kept
                shutil.rmtree(fresh, ignore_errors=True)

        cold_ms = statistics.median(seconds(cold, runs)) * 1000
        od.docx_to_pdf(docx)  # the kept profile exists from here on
        warm_ms = statistics.median(seconds(lambda docx=docx: od.docx_to_pdf(docx), runs)) * 1000
        rows += [
            [f".docx, {size} 行", render, len(docx) // 1024],
            [f"PDF 冷启动（新配置目录）, {size} 行", cold_ms, None],
            [f"PDF 热（配置目录保留）, {size} 行", warm_ms, len(od.docx_to_pdf(docx)) // 1024],
        ]
    table(["", "中位数 ms", "KB"], rows, title=f"core.officialdoc（{runs} 次 PDF 转换取中位数）")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
