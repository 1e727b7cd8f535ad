from django.urls import path

from . import pickers, views

app_name = "org"
urlpatterns = [
    path("units/", views.unit_list, name="unit_list"),
    path("units/new/", views.unit_create, name="unit_create"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("units/<int:pk>/active/", views.unit_toggle_active, name="unit_toggle_active"),
    path("people/", views.person_list, name="person_list"),
    path("people/pick/", pickers.person_pick, name="person_pick"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/import/", views.roster_import, name="roster_import"),
    path("people/import/template.xlsx", views.roster_template, name="roster_template"),
    path("people/export.xlsx", views.roster_export, name="roster_export"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/deactivate/", views.person_deactivate, name="person_deactivate"),
    path("people/<int:pk>/reveal/<str:field>/", views.person_reveal, name="person_reveal"),
    path("people/<int:pk>/mask/<str:field>/", views.person_mask, name="person_mask"),
    path("me/", views.me, name="me"),
    path("medals/", views.medal_list, name="medal_list"),
    path("medals/export.xlsx", views.medal_export, name="medal_export"),
    path("medals/<int:pk>/undo/", views.medal_undo, name="medal_undo"),
]
