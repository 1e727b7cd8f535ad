"""Authentication events arrive as signals from Django and django-axes; they are audited here.

Everything else is audited explicitly by the services that do the work (STYLE.md), not by signals.
"""

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .models import Action, Outcome
from .services import audit_record


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit_record(action=Action.LOGIN, actor=user, target=user)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        reason = getattr(request, "xuebi_logout_reason", "")
        action = Action.SESSION_TIMEOUT if reason == "timeout" else Action.LOGOUT
        audit_record(action=action, actor=user, target=user)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    username = (credentials or {}).get("username", "")[:150]
    user = get_user_model().objects.filter(username=username).first()
    audit_record(
        action=Action.LOGIN_FAILED, outcome=Outcome.FAILURE, actor=user, actor_name=username, target=user, target_repr=username
    )


@receiver(user_locked_out)
def _locked_out(sender, request, username, ip_address, **kwargs):
    user = get_user_model().objects.filter(username=username).first() if username else None
    audit_record(
        action=Action.LOCKOUT,
        outcome=Outcome.FAILURE,
        actor=user,
        actor_name=username or "",
        target=user,
        target_repr=username or ip_address or "",
    )
