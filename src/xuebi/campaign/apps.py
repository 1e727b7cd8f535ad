from django.apps import AppConfig


class CampaignConfig(AppConfig):
    name = "xuebi.campaign"
    label = "campaign"
    verbose_name = "双学双比活动"
