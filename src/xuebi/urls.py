from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from .api import api
from .home import urls as home_urls

urlpatterns = [
    path("", include("xuebi.home.urls")),
    path("audit/", include(home_urls.audit_urlpatterns)),
    path("", include("xuebi.core.urls")),
    path("accounts/", include("xuebi.accounts.urls")),
    path("org/", include("xuebi.org.urls")),
    path("campaigns/", include("xuebi.campaign.urls")),
    # 组工信息 moved from the ledger to its own app: the old record page points there
    path("ledger/new/org_info/", RedirectView.as_view(pattern_name="orginfo:item_create", permanent=False)),
    path("ledger/", include("xuebi.ledger.urls")),
    path("study/", include("xuebi.study.urls")),
    path("contests/", include("xuebi.contests.urls")),
    path("orginfo/", include("xuebi.orginfo.urls")),
    path("notifications/", include("xuebi.notifications.urls")),
    path("checklists/", include("xuebi.checklists.urls")),
    path("exams/", include("xuebi.exams.urls")),
    path("assessments/", include("xuebi.assessments.urls")),
    path("points/", include("xuebi.points.urls")),
    path("jobs/", include("xuebi.jobs.urls")),
    path("reports/", include("xuebi.reports.urls")),
    path("api/v1/", api.urls),
    # Browsers ask for /favicon.ico whatever the page says.
    path("favicon.ico", RedirectView.as_view(url=static("xuebi/favicon.svg"), permanent=True)),
]

handler400 = "xuebi.core.errors.bad_request"
handler403 = "xuebi.core.errors.forbidden"
handler404 = "xuebi.core.errors.not_found"
handler500 = "xuebi.core.errors.server_error"
