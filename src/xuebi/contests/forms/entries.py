"""An entry as its author (or a unit admin) types it: title, text, authors, files."""

from __future__ import annotations

from django import forms

from xuebi.core.forms import MultipleFileField, StyledFormMixin
from xuebi.org.models import Person
from xuebi.org.widgets import PersonChoiceField

from ..blind import ENTRY_TYPES

CO_AUTHORS = 3  # 第二、三、四作者


class EntryForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label="作品名称", max_length=200)
    text = forms.CharField(label="正文", required=False, widget=forms.Textarea(attrs={"rows": 10}))
    files = MultipleFileField(
        label="作品文件",
        required=False,
        help_text="可上传 .docx、PDF 或 JPG/PNG 图片，最多 5 个；系统会去掉文件里的作者等信息，并按作品编号重新命名。",
    )

    def __init__(self, *args, user, contest, entry=None, **kwargs):
        super().__init__(*args, **kwargs)
        people = Person.objects.visible_to(user, "pick")
        self.fields["author"] = PersonChoiceField(people, label="第一作者", empty_label="请选择")
        for i in range(CO_AUTHORS):
            self.fields[f"co_author_{i}"] = PersonChoiceField(
                people, label=f"第{i + 2}作者", required=False, empty_label="（无）"
            )
        self.fields["files"].widget.attrs["accept"] = ",".join(f".{ext}" for ext in sorted(set(ENTRY_TYPES.values())))
        if contest.blind:
            self.fields["text"].help_text = "本次评比为匿名评审：作品名称、正文和文件中不要出现作者姓名和单位名称。"
        if entry is not None:
            authors = [row.person for row in entry.author_rows.select_related("person")]
            self.initial.update({"title": entry.title, "text": entry.text})
            if authors:
                self.initial["author"] = authors[0].pk
            for i, person in enumerate(authors[1:][:CO_AUTHORS]):
                self.initial[f"co_author_{i}"] = person.pk
            self.fields["files"].help_text += " 不上传新文件时保留原文件。"
        elif getattr(user, "person_id", None):
            self.initial["author"] = user.person_id
        self.order_fields(["title", "author", *[f"co_author_{i}" for i in range(CO_AUTHORS)], "text", "files"])
        self.style_fields()

    def authors(self) -> list[Person]:
        data = self.cleaned_data
        return [p for p in [data.get("author"), *(data.get(f"co_author_{i}") for i in range(CO_AUTHORS))] if p is not None]

    def values(self) -> dict:
        """What the entry services take: title, text, authors, files."""
        data = self.cleaned_data
        return {"title": data["title"], "text": data["text"], "authors": self.authors(), "files": data["files"]}
