from django.urls import path

from .views import exports, kinds, lectures, records, reports

app_name = "ledger"
urlpatterns = [
    # records: my ledger, recording, review, corrections, evidence
    path("", records.record_list, name="mine"),
    path("new/", records.kind_pick, name="new"),
    path("new/<slug:code>/", records.record_create, name="create"),
    path("<int:pk>/", records.record_detail, name="detail"),
    path("<int:pk>/edit/", records.record_edit, name="edit"),
    path("<int:pk>/submit/", records.record_submit, name="submit"),
    path("<int:pk>/delete/", records.record_delete, name="delete"),
    path("<int:pk>/review/", records.record_review, name="review"),
    path("<int:pk>/reopen/", records.record_reopen, name="reopen"),
    path("<int:pk>/correct/", records.record_correct, name="correct"),
    path("corrections/<int:pk>/decide/", records.correction_decide, name="correction_decide"),
    path("review/", records.review_queue, name="review_queue"),
    path("review/approve/", records.review_bulk, name="review_bulk"),
    path("review/next/", records.review_next, name="review_next"),
    path("evidence/<int:pk>/", records.evidence_file, name="evidence"),
    path("evidence/<int:pk>/thumb/", records.evidence_thumbnail, name="evidence_thumb"),
    path("evidence/<int:pk>/remove/", records.evidence_remove, name="evidence_remove"),
    path("pick/people/", records.pick_people, name="pick_people"),
    path("pick/add/", records.pick_add, name="pick_add"),
    # record kinds (台账类型)
    path("kinds/", kinds.kind_list, name="kind_list"),
    path("kinds/new/", kinds.kind_create_view, name="kind_create"),
    path("kinds/<int:pk>/", kinds.kind_detail, name="kind_detail"),
    path("kinds/<int:pk>/edit/", kinds.kind_edit, name="kind_edit"),
    # reports: 三会一课, 五学联动, meeting requirements
    path("reports/", reports.index, name="reports"),
    path("reports/compliance/", reports.compliance, name="compliance"),
    path("reports/compliance/export.xlsx", reports.compliance_export, name="compliance_export"),
    path("reports/study-levels/", reports.study_levels, name="study_levels"),
    path("reports/study-levels/export.xlsx", reports.study_levels_export, name="study_levels_export"),
    path("reports/requirements/", reports.requirement_list, name="requirement_list"),
    path("reports/requirements/new/", reports.requirement_create, name="requirement_create"),
    path("reports/requirements/<int:pk>/", reports.requirement_edit, name="requirement_edit"),
    # the .xlsx export
    path("reports/export/", exports.export_view, name="export"),
    # 业务讲堂
    path("lectures/", lectures.lecture_list, name="lecture_list"),
    path("lectures/new/", lectures.lecture_create, name="lecture_create"),
    path("lectures/<int:pk>/", lectures.lecture_detail, name="lecture_detail"),
    path("lectures/<int:pk>/members/", lectures.lecture_members, name="lecture_members"),
    path("lectures/<int:pk>/plan/", lectures.lecture_plan, name="lecture_plan"),
    path("lectures/<int:pk>/active/", lectures.lecture_toggle_active, name="lecture_toggle_active"),
    path("lectures/sessions/<int:pk>/absentees/", lectures.session_absentees, name="session_absentees"),
    path("lectures/sessions/<int:pk>/held/", lectures.session_held, name="session_held"),
    path("lectures/sessions/<int:pk>/cancel/", lectures.session_cancel, name="session_cancel"),
]
