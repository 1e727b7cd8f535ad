from django.urls import path

from . import views

app_name = "orginfo"

urlpatterns = [
    path("", views.item_list, name="item_list"),
    path("new/", views.item_create, name="item_create"),
    path("ranking/", views.ranking, name="ranking"),
    path("ranking/export.xlsx", views.ranking_export, name="ranking_export"),
    path("<int:pk>/", views.item_detail, name="item_detail"),
    path("<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("<int:pk>/withdraw/", views.item_withdraw, name="item_withdraw"),
    path("<int:pk>/delete/", views.item_delete, name="item_delete"),
    path("<int:pk>/adopt/", views.adoption_create, name="adoption_create"),
    path("adoptions/<int:pk>/undo/", views.adoption_undo, name="adoption_undo"),
]
