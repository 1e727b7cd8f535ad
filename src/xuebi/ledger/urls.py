from . import views_kinds, views_reports

app_name = "ledger"
urlpatterns = [] + views_kinds.urlpatterns + views_reports.urlpatterns
