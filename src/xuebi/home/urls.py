from django.urls import path

from .views import audit, home

app_name = "home"
urlpatterns = [
    path("", home.home, name="home"),
]

# The audit log's pages, in their own namespace (audit:list, audit:export): the root URLconf mounts
# them under /audit/.
audit_urlpatterns = (
    [
        path("", audit.entry_list, name="list"),
        path("export.xlsx", audit.entry_export, name="export"),
    ],
    "audit",
)
