import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from xuebi.org.models import User


class UserTable(tables.Table):
    username = tables.Column(linkify=("accounts:user_detail", {"pk": tables.A("pk")}))
    full_name = tables.Column()
    person = tables.Column(verbose_name="对应人员", order_by=("person__unit__path", "person__name_pinyin"), empty_values=())
    roles = tables.Column(verbose_name="角色", orderable=False, empty_values=())
    is_active = tables.Column(verbose_name="状态")
    last_login = tables.Column(verbose_name="最近登录")

    class Meta:
        model = User
        fields = ("username", "full_name", "person", "roles", "is_active", "last_login")
        attrs = {"class": "table table-sm table-hover align-middle"}
        empty_text = "没有符合条件的账号。"
        order_by = ("username",)

    def __init__(self, *args, locked: set[str] = frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        self.locked = locked

    def render_person(self, record):
        if record.person_id is None:
            return "—"
        return f"{record.person.name}（{record.person.unit.name}）"

    def render_roles(self, record):
        grants = record.role_grants.all()
        badges = format_html_join(
            " ", '<span class="badge text-bg-light border">{}</span>', ((g.get_role_display(),) for g in grants)
        )
        if record.is_roster_cadre:
            badges = format_html(
                '{} <span class="badge text-bg-light border" title="由花名册自动获得">干部（花名册）</span>', badges
            )
        return badges or "—"

    def render_is_active(self, record):
        if not record.is_active:
            return format_html('<span class="badge text-bg-secondary">{}</span>', "已停用")
        if record.username in self.locked:
            return format_html('<span class="badge text-bg-danger">{}</span>', "已锁定")
        if record.must_change_password and not record.is_demo:
            return "待首次改密" if record.last_login is None else "须修改密码"
        return "正常"

    def render_last_login(self, value):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
