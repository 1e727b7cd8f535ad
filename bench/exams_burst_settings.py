"""The settings gunicorn serves the exams burst with: xuebi's own, plus the bench's ping endpoint
(``exams_burst_urls``) — the minimal signed-in view the burst is compared against."""

from xuebi.settings import *  # noqa: F401,F403

ROOT_URLCONF = "exams_burst_urls"
