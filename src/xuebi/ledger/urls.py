from django.urls import path

from . import views, views_kinds, views_reports

app_name = "ledger"
urlpatterns = [
    path("", views.record_list, name="mine"),
    path("new/", views.kind_pick, name="new"),
    path("new/<slug:code>/", views.record_create, name="create"),
    path("<int:pk>/", views.record_detail, name="detail"),
    path("<int:pk>/edit/", views.record_edit, name="edit"),
    path("<int:pk>/submit/", views.record_submit, name="submit"),
    path("<int:pk>/delete/", views.record_delete, name="delete"),
    path("<int:pk>/review/", views.record_review, name="review"),
    path("<int:pk>/reopen/", views.record_reopen, name="reopen"),
    path("<int:pk>/correct/", views.record_correct, name="correct"),
    path("corrections/<int:pk>/decide/", views.correction_decide, name="correction_decide"),
    path("review/", views.review_queue, name="review_queue"),
    path("review/approve/", views.review_bulk, name="review_bulk"),
    path("review/next/", views.review_next, name="review_next"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence"),
    path("evidence/<int:pk>/thumb/", views.evidence_thumbnail, name="evidence_thumb"),
    path("evidence/<int:pk>/remove/", views.evidence_remove, name="evidence_remove"),
    path("pick/people/", views.pick_people, name="pick_people"),
    path("pick/add/", views.pick_add, name="pick_add"),
] + views_kinds.urlpatterns + views_reports.urlpatterns
