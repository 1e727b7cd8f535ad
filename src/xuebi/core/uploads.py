"""Uploaded files checked by content (not by name): the type from the file's first bytes (the
``filetype`` library's signatures), so a renamed .exe is refused whatever it is called, and a photo
named .pdf is taken for the photo it is; the size bounded; images bounded before they are decoded.

Images are bounded before they are decoded: a PNG of 65 bytes can declare 40000×40000 pixels
(4.8 GB once decoded), so the size its header declares is checked against
``XUEBI_IMAGE_MAX_PIXELS`` (Pillow's own ``Image.MAX_IMAGE_PIXELS`` is set to the same in
``LedgerConfig.ready``). Used by the ledger's evidence and the contests' entry files.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

__all__ = ["CheckedFile", "check_upload", "ALLOWED_TYPES", "max_bytes", "max_pixels"]

# mime type → extension stored
ALLOWED_TYPES = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "application/pdf": "pdf",
    "application/msword": "doc",
    "application/vnd.ms-excel": "xls",
    "application/vnd.ms-powerpoint": "ppt",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
}


@dataclass
class CheckedFile:
    content: bytes
    sha256: str
    content_type: str
    extension: str
    original_name: str

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


def max_bytes() -> int:
    return settings.XUEBI_EVIDENCE_MAX_MB * 1024 * 1024


def max_pixels() -> int:
    return settings.XUEBI_IMAGE_MAX_PIXELS


def _too_large(name: str, size: tuple[int, int] | None = None) -> ValidationError:
    declared = f"（{size[0]}×{size[1]}）" if size else ""
    return ValidationError(f"图片“{name}”的尺寸{declared}超过上限：最多 {max_pixels() / 10_000:g} 万像素，请缩小后再上传。")


def _check_image(content: bytes, name: str) -> None:
    """Refuse a broken image, or one that declares more pixels than allowed, without decoding it."""
    try:
        with Image.open(io.BytesIO(content)) as image:  # reads the header only
            width, height = image.size
            if width * height > max_pixels():
                raise _too_large(name, image.size)
            image.verify()
    except Image.DecompressionBombError:
        # Pillow's own limit (twice Image.MAX_IMAGE_PIXELS) struck first, still in the header.
        raise _too_large(name) from None
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise ValidationError(f"文件“{name}”不是有效的图片。") from None


def check_upload(upload) -> CheckedFile:
    """Read and check one uploaded file; ValidationError in Chinese naming the file."""
    name = (getattr(upload, "name", "") or "未命名文件").rsplit("/", 1)[-1][:200]
    limit = max_bytes()
    if upload.size is not None and upload.size > limit:
        raise ValidationError(f"文件“{name}”超过 {settings.XUEBI_EVIDENCE_MAX_MB} MB 的上限。")
    upload.seek(0)
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise ValidationError(f"文件“{name}”超过 {settings.XUEBI_EVIDENCE_MAX_MB} MB 的上限。")
    if not content:
        raise ValidationError(f"文件“{name}”是空文件。")
    guessed = filetype.guess(content[:8192])
    mime = guessed.mime if guessed else ""
    if mime == "application/x-ole-storage" or (guessed and guessed.extension in ("doc", "xls", "ppt")):
        mime = {"doc": "application/msword", "xls": "application/vnd.ms-excel", "ppt": "application/vnd.ms-powerpoint"}.get(
            name.rsplit(".", 1)[-1].lower(), "application/msword"
        )
    if mime not in ALLOWED_TYPES:
        raise ValidationError(f"文件“{name}”的类型不受支持：只接受图片（JPG、PNG、GIF、WebP）、PDF 和 Office 文档。")
    if mime.startswith("image/"):
        _check_image(content, name)
    return CheckedFile(
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        content_type=mime,
        extension=ALLOWED_TYPES[mime],
        original_name=name,
    )
