from django.db import models
from django.utils.translation import gettext_lazy as _


class MaterialType(models.TextChoices):
    ARTICLE = "article", _("文章")
    BOOK = "book", _("书籍")
    VIDEO = "video", _("视频")
    DOCUMENT = "document", _("文件")
    OTHER = "other", _("其他")


class ListStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")


class NoteKind(models.TextChoices):
    NOTE = "note", _("学习笔记")
    REFLECTION = "reflection", _("心得体会")
