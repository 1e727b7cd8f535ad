"""Evidence files: checked by content (``core.uploads.check_upload``), stored under their content
hash through Django's storage API, images given a thumbnail.

Used by the ledger's records and the checklists' progress reports (one way of keeping evidence).
Files are never served straight from storage: each app's view checks that the file's record is
visible to the requester first, then answers with ``serve``. Thumbnails are made before anything else touches the pixels, so a
JPEG is decoded at a fraction of its size (``Image.draft`` inside ``thumbnail``), never in full.
"""

from __future__ import annotations

import io

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps, UnidentifiedImageError

from .uploads import ALLOWED_TYPES, CheckedFile, check_upload, max_bytes, max_pixels

__all__ = [
    "CheckedFile",
    "check_upload",
    "store",
    "serve",
    "serve_thumbnail",
    "discard",
    "ALLOWED_TYPES",
    "max_bytes",
    "max_pixels",
]

THUMBNAIL_SIZE = (480, 480)


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


def serve(name: str, content_type: str, original_name: str):
    """The stored file as a download (images and PDF shown in the page), or 404."""
    from django.http import FileResponse, Http404

    try:
        handle = default_storage.open(name, "rb")
    except FileNotFoundError:
        raise Http404("文件不存在。") from None
    response = FileResponse(
        handle,
        content_type=content_type,
        as_attachment=not content_type.startswith("image/") and content_type != "application/pdf",
        filename=original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


def serve_thumbnail(name: str):
    from django.http import FileResponse, Http404

    if not name:
        raise Http404("没有缩略图。")
    response = FileResponse(default_storage.open(name, "rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=86400"
    return response


def discard(names: list[str]) -> None:
    """Delete stored files no record uses any more (after the removal has committed)."""
    for name in names:
        default_storage.delete(name)
