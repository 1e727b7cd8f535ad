"""Evidence files: checked by content (not by name), stored under their content hash through
Django's storage API, images given a thumbnail.

The type comes from the file's first bytes (the ``filetype`` library's signatures), so a
renamed .exe is refused whatever it is called, and a photo named .pdf is stored as the photo it
is. Files are never served straight from storage: ``views.evidence_file`` checks that the
record is visible to the requester first.

Images are bounded before they are decoded: a PNG of 65 bytes can declare 40000×40000 pixels
(4.8 GB once decoded), so the size its header declares is checked against
``XUEBI_IMAGE_MAX_PIXELS`` (Pillow's own ``Image.MAX_IMAGE_PIXELS`` is set to the same in
``LedgerConfig.ready``). Thumbnails are made before anything else touches the pixels, so a JPEG
is decoded at a fraction of its size (``Image.draft`` inside ``thumbnail``), never in full.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps, UnidentifiedImageError

__all__ = ["CheckedFile", "check_upload", "store", "discard", "ALLOWED_TYPES"]

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
THUMBNAIL_SIZE = (480, 480)


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


def _thumbnail(checked: CheckedFile) -> bytes | None:
    try:
        with Image.open(io.BytesIO(checked.content)) as image:
            # thumbnail() first: it decodes a JPEG at a reduced scale (draft) and shrinks with
            # reduce(); exif_transpose on the full image would decode and copy every pixel.
            image.thumbnail(THUMBNAIL_SIZE)
            image = ImageOps.exif_transpose(image)
            if image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            out = io.BytesIO()
            image.save(out, "JPEG", quality=80)
            return out.getvalue()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None


def store(checked: CheckedFile) -> tuple[str, str]:
    """Save the file (once per content) and its thumbnail; return (file name, thumbnail name)."""
    digest = checked.sha256
    name = f"evidence/{digest[:2]}/{digest}.{checked.extension}"
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(checked.content))
    thumb_name = ""
    if checked.is_image:
        thumb_name = f"evidence/thumbs/{digest[:2]}/{digest}.jpg"
        if not default_storage.exists(thumb_name):
            data = _thumbnail(checked)
            thumb_name = default_storage.save(thumb_name, ContentFile(data)) if data else ""
    return name, thumb_name


def discard(names: list[str]) -> None:
    """Delete stored files no record uses any more (after the removal has committed)."""
    for name in names:
        default_storage.delete(name)
