from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from xuebi.core import context
from xuebi.org.services import roster
from xuebi.org.choices import ADMIN_ROLES
from xuebi.org.models import User
from xuebi.org.scoping import has_role


class Command(BaseCommand):
    help = "从 .xlsx 花名册导入人员（全部成功或全部不导入）。以 --as 指定的账号的管理范围为准。"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--as", dest="username", required=True, help="以哪个管理员账号的权限导入")
        parser.add_argument("--unit", default="", help="文件中没有“所在单位”列时，人员所在的单位，如“阿巴嘎旗委组织部/组织股”")

    def handle(self, *args, file: Path, username: str, unit: str = "", **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"账号 {username} 不存在或已停用。")
        if not has_role(user, *ADMIN_ROLES):
            # The same rule as the import page: only 单位管理员 and 盟级管理员 import people.
            raise CommandError(f"账号 {username} 不是单位管理员或盟级管理员，无权导入花名册。")
        file = Path(file)
        if not file.is_file():
            raise CommandError(f"文件不存在：{file}")
        target = None
        if unit:
            try:
                target = roster.resolve_unit(unit, user=user)
            except ValidationError as exc:
                raise CommandError(f"--unit：{exc.messages[0]}") from None
        with context.acting_as(user, ip="cli"), file.open("rb") as fh:
            result = roster.import_workbook(fh, user=user, filename=file.name, unit=target)
        if not result.ok:
            for e in result.errors:
                where = f"第{e.row}行 " if e.row else ""
                self.stderr.write(f"{where}{e.column} {e.message}".strip())
            if result.needs_unit:
                self.stderr.write('请用 --unit 指定单位，如 --unit "阿巴嘎旗委组织部/组织股"。')
            raise CommandError(f"导入失败：{len(result.errors)} 处错误，未导入任何数据。")
        for reason, rows in result.skipped_summary:
            self.stdout.write(f"跳过 {rows}：{reason}")
        for note in result.notes:
            self.stdout.write(note)
        self.stdout.write(f"导入成功：新增 {result.created} 人，更新 {result.updated} 人，未变化 {result.unchanged} 人。")
