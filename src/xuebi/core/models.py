"""Abstract models every app may build on (no tables of their own)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StoredFile(models.Model):
    """An uploaded photo or document kept by ``core.evidence`` (under its content hash, with a
    thumbnail for an image) and served only through a view that checks its owner is visible to the
    requester: the ledger's evidence, the checklists' progress files."""

    file = models.FileField(_("文件"), max_length=200)
    thumbnail = models.FileField(_("缩略图"), max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, db_index=True)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小"))
    original_name = models.CharField(_("原文件名"), max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
