"""Tokens made before tokens expired get the default life from today (XUEBI_TOKEN_MAX_AGE_DAYS),
rather than dying at once for being old or living for ever."""
import datetime as dt

from django.conf import settings
from django.db import migrations
from django.utils import timezone


def give_tokens_an_expiry(apps, schema_editor):
    days = settings.XUEBI_TOKEN_MAX_AGE_DAYS
    if days:
        ApiToken = apps.get_model("accounts", "ApiToken")
        ApiToken.objects.filter(expires_at__isnull=True, revoked_at__isnull=True).update(
            expires_at=timezone.now() + dt.timedelta(days=days))


class Migration(migrations.Migration):

    dependencies = [("accounts", "0002_initial")]

    operations = [migrations.RunPython(give_tokens_an_expiry, migrations.RunPython.noop)]
