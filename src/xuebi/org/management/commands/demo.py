from django.core.management.base import BaseCommand

from xuebi.org.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "载入锡林郭勒盟演示数据（单位、约400名人员、各角色演示账号）。可重复执行，已有数据不变。"

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=400, help="人员数量（默认400）")

    def handle(self, *args, **options):
        result = load_demo(count=options["people"])
        self.stdout.write(
            f"单位 {result['units']} 个；新增人员 {result['people_created']} 名；新增账号 {len(result['accounts_created'])} 个。"
        )
        self.stdout.write("\n演示账号（密码均为 %s）：" % DEMO_PASSWORD)
        for username, full_name, role, unit_path, _person in DEMO_ACCOUNTS:
            where = f" @ {unit_path[-1]}" if unit_path else ""
            self.stdout.write(f"  {username:<10} {role.label}{where}（{full_name}）")
