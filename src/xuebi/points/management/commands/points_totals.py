from django.core.management.base import BaseCommand, CommandError

from xuebi.campaign.models import Campaign
from xuebi.points import readmodel


class Command(BaseCommand):
    help = "核对（或按积分明细重建）各活动的个人、单位积分合计：排行榜读的就是这些合计。"

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="丢弃合计，按积分明细重新汇总")
        parser.add_argument("--campaign", type=int, help="只处理这个活动（编号）")

    def handle(self, *args, rebuild, campaign, **options):
        campaigns = Campaign.objects.order_by("pk")
        if campaign is not None:
            campaigns = campaigns.filter(pk=campaign)
            if not campaigns.exists():
                raise CommandError(f"没有编号为 {campaign} 的活动。")
        differing = 0
        for item in campaigns:
            if rebuild:
                readmodel.rebuild(item)
                self.stdout.write(f"{item.name}：已按积分明细重建合计。")
                continue
            stored, expected = readmodel.check(item)
            wrong = len(stored ^ expected)
            differing += wrong
            self.stdout.write(
                f"{item.name}："
                + ("合计与积分明细一致。" if not wrong else f"{wrong} 行合计与积分明细不符，请用 --rebuild 重建。")
            )
        if differing:
            raise CommandError("合计与积分明细不符。")
