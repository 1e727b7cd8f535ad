from django.urls import path  # noqa: F401

from .views import dashboard, notices, summary  # noqa: F401

app_name = "reports"
urlpatterns = [
    # notices (通报)
    # summary (年度总结)
    # dashboard and 大屏
]
