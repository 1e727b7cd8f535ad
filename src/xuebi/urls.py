from django.urls import include, path

from .api import api

urlpatterns = [
    path("", include("xuebi.core.urls")),
    path("accounts/", include("xuebi.accounts.urls")),
    path("org/", include("xuebi.org.urls")),
    path("audit/", include("xuebi.audit.urls")),
    path("api/v1/", api.urls),
]

handler403 = "xuebi.core.errors.forbidden"
handler404 = "xuebi.core.errors.not_found"
