from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from xuebi.accounts.services.accounts import token_create
from xuebi.core import context
from xuebi.org.models import User


class Command(BaseCommand):
    help = "为账号生成一个新的个人访问令牌并打印（只显示这一次）。"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="命令行生成", help="令牌用途")
        parser.add_argument("--days", type=int, default=None, help="有效天数（不超过 XUEBI_TOKEN_MAX_AGE_DAYS；默认取该值）")

    def handle(self, *args, username, name, days, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"账号 {username} 不存在或已停用。")
        with context.acting_as(user, ip="cli"):
            try:
                _token, key = token_create(user=user, name=name, days=days)
            except ValidationError as exc:
                raise CommandError("；".join(exc.messages)) from exc
        self.stdout.write(key)
