from django.urls import path

from . import views, views_rules

app_name = "campaign"
urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.campaign_create, name="create"),
    path("<int:pk>/edit/", views.campaign_edit, name="edit"),
]

urlpatterns += views_rules.urlpatterns
