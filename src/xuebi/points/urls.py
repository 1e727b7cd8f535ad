from django.urls import path

from . import views

app_name = "points"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("board/", views.board, name="board"),
    path("board/export.xlsx", views.board_export, name="board_export"),
    path("adjust/", views.adjust, name="adjust"),
    path("recompute/", views.recompute_page, name="recompute"),
]
