from django.urls import path

from .views import campaigns, rules

app_name = "campaign"
urlpatterns = [
    path("", campaigns.campaign_list, name="list"),
    path("new/", campaigns.campaign_create, name="create"),
    path("<int:pk>/edit/", campaigns.campaign_edit, name="edit"),
    # the score sheet (计分细则): indicators and rules
    path("<int:pk>/", rules.campaign_detail, name="detail"),
    path("<int:pk>/indicators/new/", rules.indicator_create, name="indicator_create"),
    path("indicators/<int:pk>/edit/", rules.indicator_edit, name="indicator_edit"),
    path("<int:pk>/rules/new/", rules.rule_create, name="rule_create"),
    path("rules/<int:pk>/edit/", rules.rule_edit, name="rule_edit"),
    path("rules/<int:pk>/deactivate/", rules.rule_deactivate, name="rule_deactivate"),
    path("rules/field-options/", rules.rule_field_options, name="rule_field_options"),
]
