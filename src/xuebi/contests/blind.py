"""Entry files without their authors: what a judge downloads carries no name.

An uploaded file is stored as cleaned here, whether or not the contest is blind (a contest may
become blind after entries came in, and a clean copy costs nothing to the entrant):
* .docx — ``docProps/core.xml`` (creator, last modified by, title, subject, keywords,
  description, category), ``docProps/app.xml`` (company, manager), ``docProps/custom.xml``,
  and the ``w:author`` / ``w:initials`` of tracked changes and comments in the document's parts
  are emptied or replaced by 匿名; everything else of the package is copied byte for byte;
* .pdf — rewritten by pypdf without the document information dictionary and the XMP metadata;
* images — decoded (bounded before, ``core.uploads``) and saved again, without EXIF or other
  metadata;
* anything else (the old binary .doc, .xls, spreadsheets…) is refused in entries: its metadata
  cannot be stripped reliably, so the entrant saves it as .docx or PDF.

The stored name is the entry's anonymous code and the file's number, never the uploaded name
(that stays on the entry's own page for its authors and the organiser).
"""

from __future__ import annotations

import io
import re
import zipfile

from django.core.exceptions import ValidationError
from PIL import Image, ImageOps

from xuebi.core.uploads import CheckedFile

__all__ = ["ENTRY_TYPES", "clean", "BlindFileError"]

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ENTRY_TYPES = {DOCX: "docx", "application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
ANONYMOUS = "匿名"


class BlindFileError(ValidationError):
    pass


_CORE = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" \
xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" \
xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"></cp:coreProperties>"""
_APP_FIELDS = re.compile(rb"<(Company|Manager|HyperlinkBase)>.*?</\1>|<(Company|Manager|HyperlinkBase)/>", re.S)
_PEOPLE = re.compile(rb'(w:author|w:initials|w15:userId|w15:providerId)="[^"]*"')


def _docx(content: bytes, name: str) -> bytes:
    try:
        source = zipfile.ZipFile(io.BytesIO(content))
        names = source.namelist()
        if "word/document.xml" not in names:
            raise zipfile.BadZipFile
    except (zipfile.BadZipFile, OSError):
        raise BlindFileError(f"文件“{name}”不是有效的 Word 文档（.docx）。") from None
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.file_size > 100 * 1024 * 1024:
                raise BlindFileError(f"文件“{name}”解压后过大。")
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _CORE.encode()
            elif info.filename == "docProps/app.xml":
                data = _APP_FIELDS.sub(b"", data)
            elif info.filename == "docProps/custom.xml":
                data = (
                    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
                    b'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"/>'
                )
            elif info.filename == "word/people.xml":
                data = re.sub(rb'w15:author="[^"]*"', f'w15:author="{ANONYMOUS}"'.encode(), data)
                data = _PEOPLE.sub(lambda m: m.group(1) + f'="{ANONYMOUS}"'.encode(), data)
            elif info.filename.startswith("word/") and info.filename.endswith(".xml"):
                data = _PEOPLE.sub(lambda m: m.group(1) + f'="{ANONYMOUS}"'.encode(), data)
            target.writestr(_entry_info(info), data)
    return out.getvalue()


def _entry_info(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    """The member's name and a fixed date: the zip's own timestamps say when it was edited."""
    made = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
    made.compress_type = zipfile.ZIP_DEFLATED
    return made


def _pdf(content: bytes, name: str) -> bytes:
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted:
            raise BlindFileError(f"文件“{name}”设置了密码，请去掉密码后再上传。")
        writer = PdfWriter()
        for page in reader.pages:
            writer.add_page(page)
    except BlindFileError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError):
        raise BlindFileError(f"文件“{name}”不是有效的 PDF 文件。") from None
    writer.add_metadata({"/Producer": "xuebi"})
    if "/Metadata" in writer.root_object:
        del writer.root_object["/Metadata"]
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _image(content: bytes, name: str, extension: str) -> bytes:
    with Image.open(io.BytesIO(content)) as image:
        image = ImageOps.exif_transpose(image)
        if extension == "jpg" and image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        out = io.BytesIO()
        image.save(out, "JPEG" if extension == "jpg" else "PNG", quality=90)  # no exif=, no info: nothing kept
        return out.getvalue()


def clean(checked: CheckedFile) -> tuple[bytes, str]:
    """(the file without names in it, its extension); BlindFileError in Chinese naming the file
    for a type an entry may not have."""
    extension = ENTRY_TYPES.get(checked.content_type)
    if extension is None:
        raise BlindFileError(f"文件“{checked.original_name}”的类型不能作为参评材料：请上传 .docx、PDF 或 JPG/PNG 图片。")
    if extension == "docx":
        return _docx(checked.content, checked.original_name), extension
    if extension == "pdf":
        return _pdf(checked.content, checked.original_name), extension
    return _image(checked.content, checked.original_name, extension), extension
