from django.apps import AppConfig


class StudyConfig(AppConfig):
    name = "xuebi.study"
    label = "study"
    verbose_name = "学习清单与计划"
