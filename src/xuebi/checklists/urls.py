from django.urls import path

from . import views

app_name = "checklists"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("board/", views.board, name="board"),
    path("due/", views.due, name="due"),
    path("stats/", views.stats, name="stats"),
    path("import/", views.import_items, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("export.xlsx", views.export_items, name="export"),
    path("pledges/", views.unit_pledges, name="pledges"),
    path("pledges/new/", views.pledge_create, name="pledge_create"),
    path("pledges/<int:pk>/edit/", views.pledge_edit, name="pledge_edit"),
    path("items/new/", views.item_create, name="item_create"),
    path("items/<int:pk>/", views.item_detail, name="item_detail"),
    path("items/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("items/<int:pk>/move/", views.item_move, name="item_move"),
    path("items/<int:pk>/review/", views.pledge_review, name="pledge_review"),
    path("files/<int:pk>/", views.file_download, name="file"),
    path("files/<int:pk>/thumb/", views.file_thumbnail, name="file_thumbnail"),
]
