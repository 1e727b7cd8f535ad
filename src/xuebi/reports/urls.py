from django.urls import path  # noqa: F401

from .views import dashboard, notices, summary  # noqa: F401

app_name = "reports"
urlpatterns = [
    # notices (通报)
    # summary (年度总结)
    path("summary/", summary.summary_page, name="summary"),
    path("summary/export/", summary.summary_export, name="summary_export"),
    path("summary/figures/", summary.figure_settings, name="summary_figures"),
    # dashboard and 大屏
]
