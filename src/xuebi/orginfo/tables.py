import django_tables2 as tables
from django.utils.html import format_html, format_html_join

from xuebi.core.formatting import date_text

from .models import InfoItem


class ItemTable(tables.Table):
    title = tables.Column(verbose_name="标题", linkify=("orginfo:item_detail", {"pk": tables.A("pk")}))
    unit = tables.Column(verbose_name="报送单位", order_by=("unit__path",))
    authors = tables.Column(verbose_name="作者", orderable=False, empty_values=())
    submitted_on = tables.Column(verbose_name="报送日期")
    chars = tables.Column(verbose_name="字数")
    status = tables.Column(verbose_name="状态")
    adoptions = tables.Column(verbose_name="采用", orderable=False, empty_values=())

    class Meta:
        model = InfoItem
        fields = ("title", "unit", "authors", "submitted_on", "chars", "status", "adoptions")
        attrs = {"class": "table table-sm table-hover align-middle", "data-testid": "item-table"}
        empty_text = "没有符合条件的组工信息。"
        order_by = ("-submitted_on",)

    def render_unit(self, record):
        return record.unit.short_name or record.unit.name

    def render_authors(self, record):
        return "、".join(row.person.name for row in record.author_rows.all()) or "—"

    def render_submitted_on(self, value):
        return date_text(value)

    def render_status(self, record):
        css = {"draft": "text-bg-light border", "submitted": "text-bg-success", "withdrawn": "text-bg-secondary"}
        return format_html('<span class="badge {}">{}</span>', css.get(record.status, ""), record.get_status_display())

    def render_adoptions(self, record):
        standing = getattr(record, "standing", [])
        if not standing:
            return "—"
        return format_html_join(
            " ",
            '<span class="badge text-bg-warning">{}</span>',
            ((f"{a.outlet_name}·{a.length_name}" + ("·批示" if a.instruction else ""),) for a in standing),
        )
