"""Form pieces every app uses: dates as people type them, Bootstrap classes on widgets."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError

from . import dates
from .text import strip_invisible

# At most 18 ASCII digits always fit a 64-bit column. str.isdigit() also takes "²" and "٣", and
# any number of digits: int() then fails, or the database overflows — a 500 from a query string.
_DB_ID = re.compile(r"[0-9]{1,18}")


def db_id(value) -> int | None:
    """A query-string or form value as an id the database can hold, or None: for the pages'
    ``?unit=``, ``?kind=``, ``?person=`` … which a wrong value simply leaves unfiltered."""
    return int(value) if isinstance(value, str) and _DB_ID.fullmatch(value) else None


class TypedDateField(forms.CharField):
    """A date typed the way people type it (see core.dates); cleans to a PartialDate or None."""

    def __init__(self, *, allow_partial: bool = True, **kwargs):
        self.allow_partial = allow_partial
        # data-xb-date: static/xuebi/datepicker.js adds the date-picker button beside the field.
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"placeholder": "如 2021-07-01 或 2021年7月1日", "inputmode": "text", "data-xb-date": "1"}),
        )
        kwargs.setdefault("help_text", "")
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, dates.PartialDate):
            return value.display()
        if hasattr(value, "year") and hasattr(value, "month"):
            return dates.display(value)
        return value

    def to_python(self, value):
        if isinstance(value, dates.PartialDate):
            return value
        if value in self.empty_values:
            return None
        if isinstance(value, str):
            value = value.strip()
        return dates.parse(value, allow_partial=self.allow_partial)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input; cleans to a list of UploadedFile."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*,.pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        items = [item for item in data if item] if isinstance(data, (list, tuple)) else ([data] if data else [])
        if not items:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


class NameField(forms.CharField):
    """A name (person, account, unit, campaign, indicator, rule, kind) without the characters
    nobody sees: zero-width and bidi controls are dropped (core.text.strip_invisible), so
    "\u200b" alone is an empty name — refused as missing — and "张\u200b三" is saved as "张三",
    which the roster search, the duplicate checks and the exports then find as typed."""

    def to_python(self, value):
        value = super().to_python(value)
        return strip_invisible(value) if isinstance(value, str) else value


class StyledFormMixin:
    """Adds Bootstrap's classes to widgets so that templates render fields with one include."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_fields()

    def style_fields(self) -> None:
        """Give each widget its class; call again after adding fields (it adds nothing twice)."""
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput, forms.RadioSelect)):  # CheckboxSelectMultiple is a RadioSelect
                css = "form-check-input"  # on each box of a list too
            elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
                css = "form-select"
            else:
                css = "form-control"
            classes = widget.attrs.get("class", "").split()
            if css not in classes:
                widget.attrs["class"] = " ".join([*classes, css])


def errors_as_text(form: forms.BaseForm) -> list[str]:
    """Each error as “<label>：<message>” — for imports and API answers that name the field."""
    lines = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for message in errors:
            lines.append(f"{label}：{message}" if label else message)
    return lines


def error_detail(form: forms.BaseForm, *, rename: dict | None = None, loc=None) -> list[dict]:
    """A form's errors as the API's 422 detail: [{"loc": ["body", field], "msg": "标签：消息"}], so
    the API names a field the way the page does. ``rename`` maps form fields to API names
    (unit → unit_id); ``loc`` replaces the whole mapping where an API nests its fields."""
    rename = rename or {}

    def default(name: str) -> list[str]:
        return ["body"] if name == forms.forms.NON_FIELD_ERRORS else ["body", rename.get(name, name)]

    loc = loc or default
    detail = []
    for name, messages in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        detail.extend({"loc": loc(name), "msg": f"{label}：{message}" if label else message} for message in messages)
    return detail


def validation_detail(exc: ValidationError, *, loc=None) -> list[dict]:
    """A service's ValidationError as the API's 422 detail: per field where it names fields."""
    if not hasattr(exc, "error_dict"):
        return [{"loc": ["body"], "msg": message} for message in exc.messages]
    loc = loc or (lambda key: ["body"] if key == forms.forms.NON_FIELD_ERRORS else ["body", key])
    return [
        {"loc": loc(key), "msg": message}
        for key, errors in exc.error_dict.items()
        for error in errors
        for message in error.messages
    ]


def add_validation_error(form: forms.BaseForm, exc, *, default_field: str | None = None) -> None:
    """Put a service's ValidationError on the form: per field where it names fields, else on ``default_field``."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(default_field, exc)


def run_service(form: forms.BaseForm, call, *, refusal_on_form: bool = False):
    """Run a service with a valid form's input; on its ValidationError, put the messages on the
    form and return None, so the view shows them beside the fields and saves nothing. With
    ``refusal_on_form`` a PermissionDenied with a reason the user should read ("不能验收本人负责的
    事项") goes on the form too, instead of a 403 page."""
    try:
        return call()
    except ValidationError as exc:
        add_validation_error(form, exc)
    except PermissionDenied as exc:
        if not refusal_on_form:
            raise
        form.add_error(None, str(exc))
    return None
