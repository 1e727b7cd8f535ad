from django.urls import path

from . import views

app_name = "assessments"

urlpatterns = [
    path("", views.assessment_list, name="assessment_list"),
    path("new/", views.assessment_create, name="assessment_create"),
    path("basis/", views.basis_page, name="basis"),
    path("basis/export.xlsx", views.basis_xlsx, name="basis_xlsx"),
    path("basis/export.docx", views.basis_docx, name="basis_docx"),
    path("<int:pk>/", views.assessment_detail, name="assessment_detail"),
    path("<int:pk>/grades/", views.grades_save, name="grades_save"),
    path("<int:pk>/publicise/", views.assessment_publicise, name="assessment_publicise"),
    path("<int:pk>/approval/", views.approval_save, name="approval_save"),
    path("<int:pk>/finalise/", views.assessment_finalise, name="assessment_finalise"),
    path("<int:pk>/objections/", views.objection_create, name="objection_create"),
    path("objections/<int:pk>/reply/", views.objection_reply, name="objection_reply"),
    path("sheets/<int:pk>/", views.sheet_detail, name="sheet_detail"),
]
