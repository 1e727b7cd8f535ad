from .views import bank, manage, results, taking

app_name = "exams"

urlpatterns = [*taking.urlpatterns, *manage.urlpatterns, *bank.urlpatterns, *results.urlpatterns]
