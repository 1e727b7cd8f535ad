"""Evidence images are bounded: by the pixels they declare before they are decoded, and by the
memory a thumbnail takes."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
import textwrap
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from xuebi.core import evidence
from xuebi.ledger.models import Evidence, Record
from xuebi.testing.helpers import photo, self_study


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb(width: int = 40_000, height: int = 40_000) -> SimpleUploadedFile:
    """A valid PNG header declaring width×height RGB pixels, with (almost) no pixel data: 65 bytes."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    content = b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(b"")) + _chunk(b"IEND", b"")
    return SimpleUploadedFile("炸弹.png", content, content_type="image/png")


def test_an_image_declaring_huge_dimensions_is_refused_by_the_page(users, kinds, client_for):
    assert bomb().size < 70
    response = client_for(users.cadre).post(
        "/ledger/new/self_study/",
        {
            "occurred_on": "2026.11.20",
            "f_platform": "学习强国",
            "f_content": "学习公报",
            "author_hours": "1",
            "evidence": [bomb()],
            "submit": "",
        },
    )

    assert response.status_code == 200
    assert "图片“炸弹.png”的尺寸超过上限：最多 4000 万像素" in response.content.decode()
    assert not Record.objects.exists() and not Evidence.objects.exists()


def test_an_image_declaring_huge_dimensions_is_refused_by_the_api(users, kinds, client_for):
    record = self_study(users.cadre, kinds, submit=False)

    response = client_for(users.cadre).post(f"/api/v1/records/{record.pk}/evidence", {"file": bomb()})

    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"].startswith("图片“炸弹.png”的尺寸超过上限")
    assert not Evidence.objects.exists()


def test_the_pixel_limit_is_configurable_and_names_the_declared_size(settings):
    settings.XUEBI_IMAGE_MAX_PIXELS = 3000
    evidence.check_upload(photo(size=(60, 50)))

    with pytest.raises(ValidationError, match="图片“大图.jpg”的尺寸（64×48）超过上限：最多 0.3 万像素"):
        evidence.check_upload(photo("大图.jpg", size=(64, 48)))
    # Between Pillow's limit (40 million, set at start-up) and twice it Pillow only warns: the
    # header's size refuses all the same.
    settings.XUEBI_IMAGE_MAX_PIXELS = 40_000_000
    with pytest.warns(Image.DecompressionBombWarning), pytest.raises(ValidationError, match="（7000×7000）超过上限"):
        evidence.check_upload(bomb(7_000, 7_000))


def test_a_thumbnail_follows_the_photos_orientation(users, kinds):
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: the camera was turned; viewers rotate 90°
    Image.new("RGB", (1200, 600), (30, 120, 200)).save(out, "JPEG", exif=exif)
    checked = evidence.check_upload(SimpleUploadedFile("竖拍.jpg", out.getvalue()))

    with Image.open(io.BytesIO(evidence._thumbnail(checked))) as thumb:
        assert thumb.size == (240, 480)


MEASURE = textwrap.dedent("""
    import re, sys
    import django
    django.setup()
    from xuebi.core import evidence

    def peak_kb():  # this process's high-water mark of resident memory (ru_maxrss counts the parent's too)
        with open("/proc/self/status") as status:
            return int(re.search(r"VmHWM:\\s+(\\d+) kB", status.read())[1])

    content = sys.stdin.buffer.read()
    checked = evidence.CheckedFile(content=content, sha256="", content_type="image/jpeg", extension="jpg", original_name="")
    before = peak_kb()
    assert evidence._thumbnail(checked)
    print(peak_kb() - before)
""")


def test_thumbnailing_a_large_photo_keeps_memory_bounded(tmp_path):
    # 6000×6000 decoded in full is 108 MB (and exif_transpose copied it: 280 MB more at peak);
    # decoded at a quarter of the size it is 7 MB. Measured in a fresh process.
    out = io.BytesIO()
    Image.new("RGB", (6000, 6000), (200, 30, 30)).save(out, "JPEG")
    env = {"DJANGO_SETTINGS_MODULE": "xuebi.settings", "XUEBI_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}

    grown_kb = int(
        subprocess.run([sys.executable, "-c", MEASURE], input=out.getvalue(), env=env, capture_output=True, check=True).stdout
    )

    assert grown_kb < 40 * 1024
