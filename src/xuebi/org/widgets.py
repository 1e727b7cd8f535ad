"""A searchable person picker (人员选择): one widget for every form that names a person.

Server side it is the plain ``<select>`` of the field's queryset — which is also what a browser
without JavaScript shows, and what bounds the value a form accepts — its options labelled
“王磊 · 阿巴嘎旗委组织部 / 组织股” so that two 王磊 and fourteen 办公室 can be told apart.
``static/xuebi/person-picker.js`` turns a long one into a search box over ``org:person_pick``
(name, full pinyin or initials, within the user's scope for the field's action); a short list
(under ``SEARCH_FROM`` options) stays a select.
"""

from __future__ import annotations

from django import forms
from django.urls import reverse

from xuebi.org.choices import UnitKind
from xuebi.org.models import Person, Unit

__all__ = ["PersonPicker", "PersonChoiceField", "UnitNames", "person_label", "PICK_ACTIONS", "SEARCH_FROM"]

# the scopes a picker may search in (Person.scope_roles): whom a record may name, whom an admin changes
PICK_ACTIONS = ("pick", "change")
SEARCH_FROM = 30


class UnitNames:
    """path → (name, kind) of every unit, read once (a league has a few hundred), to label people
    by their county and section without a query per person."""

    def __init__(self):
        self._units: dict[str, tuple[str, str]] | None = None

    def _load(self) -> dict[str, tuple[str, str]]:
        if self._units is None:
            self._units = {path: (name, kind) for path, name, kind in Unit.objects.values_list("path", "name", "kind")}
        return self._units

    def label(self, path: str) -> str:
        """“阿巴嘎旗委组织部 / 组织股”: the county-level unit (the root's child) and the unit itself;
        a county department alone; the league's own sections under the league's name."""
        units, step = self._load(), Unit.steplen
        depth = len(path) // step
        name, kind = units.get(path, ("", ""))
        if depth <= 1 or (depth == 2 and kind == UnitKind.COUNTY_DEPT):
            return name
        top = units.get(path[: step * (2 if depth > 2 else 1)], ("", ""))[0]
        return f"{top} / {name}" if top else name


def person_label(person: Person, names: UnitNames | None = None) -> str:
    """“王磊 · 阿巴嘎旗委组织部 / 组织股” (the person's unit loaded with them)."""
    return f"{person.name} · {(names or UnitNames()).label(person.unit.path)}"


class PersonPicker(forms.Select):
    """The select, marked for ``person-picker.js`` with where to search."""

    template_name = "org/widgets/person_picker.html"

    def __init__(self, attrs=None, *, action: str = "pick"):
        if action not in PICK_ACTIONS:
            raise ValueError(action)
        self.action = action
        super().__init__(attrs)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["picker"] = {"url": reverse("org:person_pick"), "action": self.action, "search_from": SEARCH_FROM}
        return context


class PersonChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField of people with the picker and the county / section labels. The queryset
    still decides what may be submitted; the search only helps to find it."""

    def __init__(self, queryset, *, action: str = "pick", **kwargs):
        kwargs.setdefault("widget", PersonPicker(action=action))
        super().__init__(queryset.select_related("unit") if queryset is not None else None, **kwargs)
        self.names = UnitNames()

    def __deepcopy__(self, memo):
        copy = super().__deepcopy__(memo)
        copy.names = UnitNames()  # each form reads the units once, fresh
        return copy

    def label_from_instance(self, obj: Person) -> str:
        return person_label(obj, self.names)
