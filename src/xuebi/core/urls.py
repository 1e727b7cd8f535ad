from django.urls import path

from . import pickers, views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("people/pick/", pickers.person_pick, name="person_pick"),
]
