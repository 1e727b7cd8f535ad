import django_tables2 as tables
from django.utils.html import format_html

from .models import Person


# On a phone the roster shows 姓名, 单位 and 状态 (the name never wrapped a character a line);
# 职务 from a tablet up; the rest from a desktop up (roster.css).
_TABLET = {"th": {"class": "d-none d-md-table-cell"}, "td": {"class": "d-none d-md-table-cell"}}
_DESKTOP = {"th": {"class": "d-none d-lg-table-cell"}, "td": {"class": "d-none d-lg-table-cell"}}


class PersonTable(tables.Table):
    name = tables.Column(
        linkify=("org:person_detail", {"pk": tables.A("pk")}),
        order_by=("name_pinyin",),
        attrs={"th": {"class": "xb-person-name"}, "td": {"class": "xb-person-name", "data-testid": "person-name"}},
    )
    sex = tables.Column(attrs=_DESKTOP)
    ethnicity = tables.Column(attrs=_DESKTOP)
    unit = tables.Column(order_by=("unit__path",), attrs={"td": {"class": "xb-person-unit"}})
    position = tables.Column(attrs=_TABLET)
    rank = tables.Column(attrs=_DESKTOP)
    id_number_masked = tables.Column(verbose_name="身份证号", orderable=False, attrs=_DESKTOP)
    phone = tables.Column(verbose_name="手机号码", orderable=False, attrs=_DESKTOP)
    status = tables.Column(attrs={"td": {"class": "text-nowrap"}})

    class Meta:
        model = Person
        fields = ("name", "sex", "ethnicity", "unit", "position", "rank", "id_number_masked", "phone", "status")
        attrs = {"class": "table table-sm table-hover align-middle"}
        empty_text = "没有符合条件的人员。"

    def __init__(self, *args, unit_labels: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit_labels = unit_labels or {}

    def render_unit(self, record):
        # Section names repeat in every county (组织股, 办公室): show the department too.
        unit = record.unit
        parent = self.unit_labels.get(unit.path[: -unit.steplen]) if unit.depth > 2 else None
        return f"{parent} · {unit.name}" if parent else unit.name

    def render_phone(self, record):
        return record.phone_masked

    def render_status(self, record, value):
        css = "text-bg-success" if record.is_active else "text-bg-secondary"
        return format_html('<span class="badge {}">{}</span>', css, value)
