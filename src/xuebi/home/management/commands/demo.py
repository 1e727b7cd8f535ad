from django.core.management.base import BaseCommand

from xuebi.demo import load_all
from xuebi.org.demo import DEMO_ACCOUNTS, DEMO_PASSWORD


class Command(BaseCommand):
    help = "载入锡林郭勒盟演示数据（单位、约400名人员、各角色演示账号、台账类型与示例台账、学习清单）。可重复执行，已有数据不变。"

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=400, help="人员数量（默认400）")

    def handle(self, *args, **options):
        result = load_all(people=options["people"])
        self.stdout.write(
            f"单位 {result['units']} 个；新增人员 {result['people_created']} 名；新增账号 {len(result['accounts_created'])} 个；"
            f"新增台账类型 {result['kinds_created']} 个；新增台账记录 {result['records_created']} 条。"
        )
        self.stdout.write("\n演示账号（密码均为 %s）：" % DEMO_PASSWORD)
        for username, full_name, role, unit_path, _person in DEMO_ACCOUNTS:
            where = f" @ {unit_path[-1]}" if unit_path else ""
            self.stdout.write(f"  {username:<10} {role.label}{where}（{full_name}）")
