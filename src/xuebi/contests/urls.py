from django.urls import path

from .views import contests, entries, judging

app_name = "contests"

urlpatterns = [
    path("", contests.contest_list, name="contest_list"),
    path("new/", contests.contest_create, name="contest_create"),
    path("<int:pk>/", contests.contest_detail, name="contest_detail"),
    path("<int:pk>/edit/", contests.contest_edit, name="contest_edit"),
    path("<int:pk>/open/", contests.contest_open, name="contest_open"),
    path("<int:pk>/panels/", contests.contest_panels, name="contest_panels"),
    path("<int:pk>/assignments/", contests.contest_assignments, name="contest_assignments"),
    path("<int:pk>/assign/", contests.contest_assign, name="contest_assign"),
    path("<int:pk>/assignments/add/", contests.assignment_add, name="assignment_add"),
    path("<int:pk>/results/", contests.contest_results, name="contest_results"),
    path("<int:pk>/final/", contests.contest_final, name="contest_final"),
    path("<int:pk>/reopen/", contests.contest_reopen, name="contest_reopen"),
    path("<int:pk>/publish/", contests.contest_publish, name="contest_publish"),
    path("<int:pk>/unpublish/", contests.contest_unpublish, name="contest_unpublish"),
    path("<int:pk>/screen/", contests.contest_screen, name="contest_screen"),
    path("<int:pk>/certificates/", contests.contest_certificates, name="contest_certificates"),
    path("certificates/<int:pk>/", entries.certificate_file, name="certificate_file"),
    path("<int:pk>/entries/new/", entries.entry_create, name="entry_create"),
    path("assignments/<int:pk>/remove/", contests.assignment_remove, name="assignment_remove"),
    path("entries/<int:pk>/", entries.entry_detail, name="entry_detail"),
    path("entries/<int:pk>/edit/", entries.entry_edit, name="entry_edit"),
    path("entries/<int:pk>/withdraw/", entries.entry_withdraw, name="entry_withdraw"),
    path("entries/<int:pk>/files/<int:file_pk>/", entries.entry_file, name="entry_file"),
    path("judging/", judging.judging_home, name="judging_home"),
    path("judging/<int:pk>/", judging.assignment_score, name="assignment_score"),
    path("judging/<int:pk>/files/<int:index>/", judging.assignment_file, name="assignment_file"),
]
