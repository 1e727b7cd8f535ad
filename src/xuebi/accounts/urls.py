from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/2fa/", views.otp_verify, name="otp_verify"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("2fa/", views.otp_setup, name="otp_setup"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_detail, name="user_detail"),
    path("open/", views.accounts_open, name="accounts_open"),
    path("open/<str:batch>/", views.handover_page, name="handover"),
    path("open/<str:batch>/xlsx/", views.handover_xlsx, name="handover_xlsx"),
    path("open/<str:batch>/slips/", views.handover_slips, name="handover_slips"),
    path("open/<str:batch>/finish/", views.handover_finish, name="handover_finish"),
    path("users/<int:pk>/password/", views.user_password_reset, name="user_password_reset"),
    path("users/<int:pk>/unlock/", views.user_unlock, name="user_unlock"),
    path("users/<int:pk>/active/", views.user_toggle_active, name="user_toggle_active"),
    path("grants/", views.grant_list, name="grant_list"),
    path("grants/<int:pk>/revoke/", views.grant_revoke, name="grant_revoke"),
    path("policy/", views.policy, name="policy"),
]
