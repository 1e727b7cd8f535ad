"""What a person types: an item (county staff), an adoption and its undo (the league department)."""

from __future__ import annotations

from django import forms

from xuebi.core.forms import StyledFormMixin, TypedDateField
from xuebi.org.models import Person
from xuebi.org.widgets import PersonChoiceField

from . import conf
from .models import InfoItem, Instruction, Length
from .selectors import submit_units

__all__ = ["ItemForm", "AdoptionForm", "UndoForm", "CO_AUTHORS"]

CO_AUTHORS = 4


def _day(value):
    return value.date if value is not None else None


class ItemForm(StyledFormMixin, forms.Form):
    unit = forms.ModelChoiceField(label="报送单位", queryset=None, empty_label=None)
    title = forms.CharField(label="标题", max_length=200)
    submitted_on = TypedDateField(label="报送日期", allow_partial=False)
    text = forms.CharField(
        label="正文",
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=f"{conf.long_from()}字以上（不计空格）为长篇，采用时按篇幅计分。",
    )

    def __init__(self, *args, user, item: InfoItem | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        units = submit_units(user)
        self.fields["unit"].queryset = units
        people = Person.objects.visible_to(user, "pick")
        self.fields["author"] = PersonChoiceField(people, label="第一作者", empty_label="请选择")
        for i in range(CO_AUTHORS):
            self.fields[f"co_author_{i}"] = PersonChoiceField(
                people, label=f"第{i + 2}作者", required=False, empty_label="（无）"
            )
        if item is not None:
            authors = [row.person for row in item.author_rows.select_related("person")]
            self.initial.update({"unit": item.unit_id, "title": item.title, "text": item.text, "submitted_on": item.submitted_on})
            if authors:
                self.initial["author"] = authors[0].pk
            for i, person in enumerate(authors[1:][:CO_AUTHORS]):
                self.initial[f"co_author_{i}"] = person.pk
        else:
            first = units.first()
            if first is not None:
                self.initial["unit"] = first.pk
            if getattr(user, "person_id", None):
                self.initial["author"] = user.person_id
        self.order_fields(["unit", "title", "submitted_on", "author", *[f"co_author_{i}" for i in range(CO_AUTHORS)], "text"])
        self.style_fields()

    def clean_submitted_on(self):
        return _day(self.cleaned_data.get("submitted_on"))

    def authors(self) -> list[Person]:
        data = self.cleaned_data
        return [p for p in [data.get("author"), *(data.get(f"co_author_{i}") for i in range(CO_AUTHORS))] if p is not None]


class AdoptionForm(StyledFormMixin, forms.Form):
    outlet = forms.ChoiceField(label="采用级别", choices=())
    adopted_on = TypedDateField(label="采用日期", allow_partial=False)
    length = forms.ChoiceField(
        label="篇幅",
        required=False,
        choices=[("", "按字数自动判断"), *Length.choices],
        help_text=f"留空时{conf.long_from()}字以上为长篇；采用时删改了篇幅的，可在此指定。",
    )
    instruction = forms.ChoiceField(label="领导批示", required=False, choices=[("", "无"), *Instruction.choices])
    note = forms.CharField(label="备注", max_length=200, required=False, help_text="如 采用载体、期数")

    def __init__(self, *args, item: InfoItem, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outlet"].choices = [("", "请选择"), *conf.outlet_choices()]
        self.fields["length"].help_text = (
            f"本篇{item.chars}字，按字数为{Length(item.default_length).label}；" + self.fields["length"].help_text
        )

    def clean_adopted_on(self):
        return _day(self.cleaned_data.get("adopted_on"))


class UndoForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label="撤销原因", max_length=200)
