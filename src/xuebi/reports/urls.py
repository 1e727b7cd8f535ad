from django.urls import path

from .views import dashboard, notices, summary

app_name = "reports"
urlpatterns = [
    # notices (通报)
    path("notices/", notices.notice_list, name="notice_list"),
    path("notices/new/", notices.notice_create, name="notice_create"),
    path("notices/from-contest/<int:contest_pk>/", notices.notice_from_contest, name="notice_from_contest"),
    path("notices/from-orginfo/", notices.notice_from_orginfo, name="notice_from_orginfo"),
    path("notices/<int:pk>/", notices.notice_detail, name="notice_detail"),
    path("notices/<int:pk>/edit/", notices.notice_edit, name="notice_edit"),
    path("notices/<int:pk>/regenerate/", notices.notice_regenerate, name="notice_regenerate"),
    path("notices/<int:pk>/delete/", notices.notice_delete, name="notice_delete"),
    path("notices/<int:pk>/issue/", notices.notice_issue, name="notice_issue"),
    path("notices/<int:pk>/<str:kind>/", notices.notice_file, name="notice_file"),
    path("notices/letterhead/<int:pk>/", notices.letterhead_edit, name="letterhead"),
    # summary (年度总结)
    path("summary/", summary.summary_page, name="summary"),
    path("summary/export/", summary.summary_export, name="summary_export"),
    path("summary/figures/", summary.figure_settings, name="summary_figures"),
    # dashboard and 大屏
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("screen/", dashboard.screen, name="screen"),
]
