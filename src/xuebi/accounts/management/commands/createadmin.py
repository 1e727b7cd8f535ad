import getpass
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from xuebi.accounts.services import accounts as services
from xuebi.core import context
from xuebi.org.choices import SEPARATED_ROLES, Role
from xuebi.org.models import RoleGrant, Unit


class Command(BaseCommand):
    help = (
        "创建管理员账号（部署时使用）：三员（sysadmin/secadmin/auditor）或盟级管理员（league_admin，授予在最上级单位）。"
        "密码从 XUEBI_ADMIN_PASSWORD 读取或交互输入；首次登录须修改。"
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=[Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR, Role.LEAGUE_ADMIN])
        parser.add_argument("--name", default="", help="姓名")

    def handle(self, *args, username, role, name, **options):
        password = os.environ.get("XUEBI_ADMIN_PASSWORD") or getpass.getpass("密码：")
        unit = None
        if role not in SEPARATED_ROLES:
            unit = Unit.objects.get_root_nodes().first()
            if unit is None:
                raise CommandError("还没有单位：请先建立最上级单位（或执行 xuebi demo）。")
        try:
            with context.acting_as(None, ip="cli"), transaction.atomic():
                user = services.user_create(actor=None, username=username, full_name=name or username, password=password)
                # The operator bootstraps the first accounts: nobody holds secadmin yet to grant them.
                RoleGrant.objects.create(user=user, role=role, unit=unit)
                from xuebi.audit.models import Action
                from xuebi.audit.services import audit_record

                audit_record(
                    action=Action.ROLE_GRANT,
                    target=user,
                    actor_name="xuebi createadmin",
                    changes={"role": [None, str(Role(role).label)], "unit": [None, str(unit) if unit else ""]},
                )
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        self.stdout.write(f"已创建 {username}（{Role(role).label}），首次登录须修改密码。")
