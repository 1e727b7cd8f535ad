"""xuebi's URLs and one more, only under the benchmark: ``POST /bench/api/ping`` — the minimal
signed-in API call. The same middleware, the same session, the same CSRF check and the same
``SessionAuth`` (idle limit, the session's ``last_seen`` kept on a change) as the exams API;
nothing else. Its rate is the ceiling the submissions are measured against."""

from django.urls import path
from ninja import NinjaAPI

from xuebi.api import BearerToken, SessionAuth
from xuebi.urls import handler400, handler403, handler404, handler500, urlpatterns as site  # noqa: F401

ping_api = NinjaAPI(
    title="bench", urls_namespace="bench", auth=[BearerToken(), SessionAuth(csrf=True)], docs_url=None, openapi_url=None
)


@ping_api.post("/ping")
def ping(request):
    return {"ok": True, "user": request.auth.pk}


urlpatterns = [path("bench/api/", ping_api.urls), *site]
