from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xuebi.core import dates, idcard, phone
from xuebi.core.forms import NameField, StyledFormMixin, TypedDateField

from .choices import ETHNIC_CHOICES, PersonStatus, UnitKind
from .models import Person, Unit
from .party import default_cutoff

PERSON_FIELDS = [
    "name",
    "sex",
    "ethnicity",
    "birth_date",
    "id_number",
    "phone",
    "unit",
    "position",
    "rank",
    "education",
    "political_status",
    "joined_party_date",
    "full_member_date",
    "work_start_date",
    "is_org_cadre",
]


class UnitChoiceField(forms.ModelChoiceField):
    #: {pk: Unit} of the queryset, loaded once by whoever validates many forms (the import).
    known: dict[int, Unit] | None = None

    def label_from_instance(self, obj: Unit) -> str:
        # Indent by depth so the tree reads in a plain <select>.
        return "　" * max(obj.depth - 1, 0) + obj.name

    def to_python(self, value):
        if self.known is None or value in self.empty_values:
            return super().to_python(value)
        try:
            unit = self.known.get(int(getattr(value, "pk", value)))
        except (TypeError, ValueError):
            unit = None
        if unit is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value})
        return unit


class FixedChoiceField(forms.ChoiceField):
    """A choice field whose choices never change from one form to the next (民族, 性别): each
    form shares them instead of deep-copying them, which made most of the cost of validating
    a 10,000-row roster."""

    def __deepcopy__(self, memo):
        choices = self._choices
        self._choices = []
        try:
            result = super().__deepcopy__(memo)
        finally:
            self._choices = choices
        result._choices = choices
        return result


class FixedTypedChoiceField(FixedChoiceField, forms.TypedChoiceField):
    pass


def _fixed_choices(model_field, **kwargs):
    """Model fields with choices get FixedTypedChoiceField on PersonForm."""
    if model_field.choices:
        return model_field.formfield(choices_form_class=FixedTypedChoiceField, **kwargs)
    return model_field.formfield(**kwargs)


@dataclass
class PersonLookups:
    """What validating many people at once needs, loaded once (the roster import): the units
    the user may change by id, and who holds each 身份证号 (keyed hash → person id)."""

    units: dict[int, Unit]
    id_owners: dict[str, int]


def check_life_dates(values: dict, *, today: dt.date | None = None) -> list[tuple[str, str]]:
    """Impossible orders of a life's dates, as (field, message) — the person form and the
    roster import both refuse them. Dates are the first day of what was typed (1985.03 →
    1 March), so comparisons at month precision never refuse a date that could be right.

    参加工作 before the age of 14 is refused: no cadre starts work that young, and it is
    nearly always a year typed wrong (1958 for 1985)."""
    problems = []
    today = today or timezone.localdate()
    for name in Person.DATE_FIELDS:
        value = values.get(name)
        if value and value > today:
            problems.append((name, str(_("日期不能晚于今天。"))))
    birth = values.get("birth_date")
    joined, full, work = values.get("joined_party_date"), values.get("full_member_date"), values.get("work_start_date")
    for name, value, label in (
        ("work_start_date", work, "参加工作日期"),
        ("joined_party_date", joined, "入党日期"),
        ("full_member_date", full, "转正日期"),
    ):
        if birth and value and value < birth.replace(day=1):
            problems.append((name, f"{label}不能早于出生日期（{dates.display(birth)}）。"))
    if joined and full and full < joined:
        problems.append(("full_member_date", str(_("转正日期不能早于入党日期。"))))
    if birth and joined and joined >= birth.replace(day=1) and joined.year - birth.year < 18:
        problems.append(("joined_party_date", str(_("入党时应年满18周岁。"))))
    if birth and work and work >= birth.replace(day=1) and work.year - birth.year < 14:
        problems.append(("work_start_date", "参加工作时不满14周岁，请核对参加工作日期。"))
    return problems


class PersonForm(StyledFormMixin, forms.ModelForm):
    """The one validator of a roster entry: the pages, the API and the .xlsx import all use it."""

    id_number = forms.CharField(label=_("身份证号"), max_length=18, required=False)
    birth_date = TypedDateField(label=_("出生日期"), required=False, allow_partial=False)
    joined_party_date = TypedDateField(label=_("入党日期"), required=False)
    full_member_date = TypedDateField(label=_("转正日期"), required=False)
    work_start_date = TypedDateField(label=_("参加工作日期"), required=False)
    unit = UnitChoiceField(label=_("所在单位"), queryset=Unit.objects.none())
    sex = FixedChoiceField(label=_("性别"), choices=[("", "—")] + list(Person._meta.get_field("sex").choices), required=False)

    class Meta:
        model = Person
        fields = PERSON_FIELDS
        field_classes = {"name": NameField}
        formfield_callback = _fixed_choices
        error_messages = {"name": {"required": _("请填写姓名。")}}

    ethnicity = FixedChoiceField(
        label=_("民族"), choices=[("", "—请选择—")] + ETHNIC_CHOICES, error_messages={"required": _("请选择民族。")}
    )

    def __init__(self, *args, user, lookups: PersonLookups | None = None, require_ethnicity: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.lookups = lookups
        self.today = timezone.localdate()  # once for the form (an import binds it to every row)
        if lookups is not None:
            self.fields["unit"].known = lookups.units  # the import's units: no queryset per row
        else:
            self.fields["unit"].queryset = Unit.objects.visible_to(user, "change").filter(is_active=True)
        self.fields["phone"].required = False
        # An imported sheet without a 民族 column leaves it blank rather than guessing (decisions.md).
        self.fields["ethnicity"].required = require_ethnicity
        if self.instance.pk:
            if not self.is_bound:
                self.initial["id_number"] = self.instance.id_number
                for name in Person.DATE_FIELDS:
                    value = getattr(self.instance, name)
                    if value:
                        self.initial[name] = dates.PartialDate(value, self.instance.date_precision.get(name, dates.DAY))

    def _get_validation_exclusions(self):
        exclude = super()._get_validation_exclusions()
        if self.lookups is not None:
            # The unit was taken from the units loaded for the whole import; the model's own
            # check would ask the database again, once per row.
            exclude.add("unit")
        return exclude

    _id_parts: tuple = ("", None, None)

    def _clean_fields(self):
        if self.lookups is None:
            return super()._clean_fields()
        # An import row: the form is bound to row after row (roster._RowReader), so each field is
        # cleaned from the row's value directly rather than through a BoundField, as Django's
        # own loop would, clean_<field>() included.
        for name, field in self.fields.items():
            try:
                self.cleaned_data[name] = field.clean(field.widget.value_from_datadict(self.data, None, name))
                if (clean := getattr(self, f"clean_{name}", None)) is not None:
                    self.cleaned_data[name] = clean()
            except ValidationError as exc:
                self.add_error(name, exc)

    def _post_clean(self):
        if self.lookups is None:
            super()._post_clean()
        # An import row skips the model's own validation: every field's length and choices were
        # checked by the form fields built from the model, the unit and the 身份证号's uniqueness
        # against the lookups loaded for the whole file, and the row's values go to the services
        # through person_values(), not through the instance. The model's checks would only copy
        # the row onto the instance and check it all again, a fifth of the import's time.

    def clean_name(self):
        name = "".join(self.cleaned_data["name"].split())
        if not name:
            raise ValidationError(_("请填写姓名。"))
        return name

    def clean_id_number(self):
        value = self.cleaned_data.get("id_number", "")
        if not value:
            return ""
        number, birth, sex = idcard.parse(value, today=self.today)
        self._id_parts = number, birth, sex  # for clean(), which checks the 出生日期 and 性别 against them
        key = Person.hash_id_number(number)
        if self.lookups is not None:
            owner = self.lookups.id_owners.get(key)
            taken = owner is not None and owner != self.instance.pk
        else:
            clash = Person.objects.filter(id_number_hash=key)
            if self.instance.pk:
                clash = clash.exclude(pk=self.instance.pk)
            taken = clash.exists()
        if taken:
            raise ValidationError(
                _("该身份证号已登记在花名册中（%(masked)s），请勿重复录入。"), params={"masked": idcard.mask(number)}
            )
        return number

    def clean_phone(self):
        value = self.cleaned_data.get("phone", "")
        return phone.validate(value) if value else ""

    def clean(self):
        data = super().clean()
        number = data.get("id_number")
        if number:
            _n, birth, sex = self._id_parts if self._id_parts[0] == number else idcard.parse(number, today=self.today)
            given_birth = data.get("birth_date")
            if given_birth and given_birth.date != birth:
                self.add_error("birth_date", _("出生日期与身份证号不一致（身份证号为 %(d)s）。") % {"d": dates.display(birth)})
            elif not given_birth:
                data["birth_date"] = dates.PartialDate(birth, dates.DAY)
            if data.get("sex") and data["sex"] != sex:
                self.add_error(
                    "sex", _("性别与身份证号不一致（身份证号第17位表示%(s)s性）。") % {"s": "男" if sex == "M" else "女"}
                )
            elif not data.get("sex"):
                data["sex"] = sex
        elif not data.get("sex") and "sex" not in self.errors and "id_number" not in self.errors:
            self.add_error("sex", _("请填写性别，或填写身份证号以自动识别。"))
        plain = {name: data[name].date for name in Person.DATE_FIELDS if data.get(name)}
        for name, message in check_life_dates(plain, today=self.today):
            if name not in self.errors:
                self.add_error(name, message)
        # The model holds plain dates; the precision each was typed with is kept beside them.
        self.date_precision = {}
        for name in Person.DATE_FIELDS:
            partial = data.get(name)
            if isinstance(partial, dates.PartialDate):
                data[name] = partial.date
                if partial.precision != dates.DAY:
                    self.date_precision[name] = partial.precision
        return data

    def person_values(self) -> dict:
        """Cleaned values ready for the services: dates split into value and precision."""
        values = {name: self.cleaned_data.get(name) for name in PERSON_FIELDS}
        values["date_precision"] = dict(self.date_precision)
        return values


class PersonDeactivateForm(StyledFormMixin, forms.Form):
    status = forms.ChoiceField(label=_("停用原因"), choices=[c for c in PersonStatus.choices if c[0] != PersonStatus.ACTIVE])


class UnitForm(StyledFormMixin, forms.ModelForm):
    parent = UnitChoiceField(label=_("上级单位"), queryset=Unit.objects.none(), required=True)

    class Meta:
        model = Unit
        fields = ["name", "short_name", "kind", "code"]
        field_classes = {"name": NameField, "short_name": NameField}
        error_messages = {"name": {"required": _("请填写单位名称。")}}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if self.instance.pk:
            # Moving a unit within the tree is not offered; the parent stays as it is.
            del self.fields["parent"]
        else:
            self.fields["parent"].queryset = Unit.objects.visible_to(user, "change").filter(is_active=True)
        self.fields["kind"].choices = [c for c in UnitKind.choices if c[0] != UnitKind.LEAGUE_DEPT]

    def clean(self):
        data = super().clean()
        name = (data.get("name") or "").strip()
        parent = Unit.objects.get_parent(self.instance) if self.instance.pk else data.get("parent")
        if name and (parent or self.instance.pk):
            siblings = Unit.objects.get_children(parent) if parent else Unit.objects.get_root_nodes()
            if siblings.filter(name=name).exclude(pk=self.instance.pk).exists():
                self.add_error("name", _("同一上级单位下已有名为“%(n)s”的单位。") % {"n": name})
        return data

    def clean_code(self):
        code = self.cleaned_data.get("code", "").strip()
        if code and not code.isdigit():
            raise ValidationError(_("区划代码只能由数字组成。"))
        return code


class PersonFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False)


class RosterImportForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=_("Excel 文件（.xlsx）"), error_messages={"required": _("请选择要导入的 .xlsx 文件。")})
    unit = UnitChoiceField(
        label=_("导入到单位"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("文件中没有“所在单位”列时必选：整个文件的人员都属于这个单位。"),
        empty_label="—文件中有所在单位列，不必选—",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.visible_to(user, "change").filter(is_active=True)
        self.fields["file"].widget.attrs["accept"] = ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class MedalQueryForm(StyledFormMixin, forms.Form):
    """The 光荣在党50年 list's question: the cut-off, a unit's subtree, given or not yet."""

    cutoff = TypedDateField(label="截止日期", allow_partial=False, required=False, help_text="党龄算至该日，默认为当年7月1日")
    unit = forms.ModelChoiceField(label="单位", queryset=Unit.objects.none(), required=False, empty_label="全部")
    issued = forms.ChoiceField(label="颁发情况", required=False, choices=[("", "全部"), ("no", "未颁发"), ("yes", "已颁发")])

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.visible_to(user, "change").filter(is_active=True).order_by("path")
        self.fields["unit"].label_from_instance = lambda u: ("　" * max(u.depth - 1, 0)) + u.name
        self.style_fields()

    def clean_cutoff(self):
        cutoff = self.cleaned_data.get("cutoff")
        if cutoff and not 1971 <= cutoff.date.year <= 2100:
            raise forms.ValidationError("截止日期应在1971年至2100年之间。")
        return cutoff

    def question(self, today) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        cutoff = data.get("cutoff")
        issued = {"yes": True, "no": False}.get(data.get("issued") or "")
        return {"cutoff": cutoff.date if cutoff else default_cutoff(today), "unit": data.get("unit"), "issued": issued}


class MedalIssueForm(StyledFormMixin, forms.Form):
    issued_on = TypedDateField(label="颁发日期", allow_partial=False)
    unit = forms.ModelChoiceField(label="颁发单位", queryset=Unit.objects.none(), empty_label=None)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = (
            Unit.objects.visible_to(user, "change").filter(is_active=True, depth__lte=2).order_by("path")
        )
        self.style_fields()
