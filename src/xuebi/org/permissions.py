"""View-side access checks. Scoping of data lives in org.scoping; these only gate by role."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404

from xuebi.org.scoping import has_role


class RoleRequiredMixin(LoginRequiredMixin):
    """Refuse (403) users who hold none of ``roles``; an empty tuple admits any signed-in user."""

    roles: tuple[str, ...] = ()

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if self.roles and not has_role(request.user, *self.roles):
            raise PermissionDenied("您的角色无权访问此页面。")
        return super().dispatch(request, *args, **kwargs)


def require_role(request, *roles: str) -> None:
    """403 unless the signed-in user holds one of ``roles`` (on any unit)."""
    if not has_role(request.user, *roles):
        raise PermissionDenied("您的角色无权访问此页面。")


def get_visible_or_404(model, user, pk, action: str = "view"):
    """The object if the user may ``action`` it. Outside of scope and missing look the same (404)."""
    try:
        return model.objects.visible_to(user, action).get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):
        raise Http404("找不到该对象，或您无权访问。") from None


def require_in_scope(user, obj, action: str = "change") -> None:
    """Inside the transaction, after the write: the object must still be in the writer's scope.

    This is what stops a unit admin from moving a person (or a unit) out of their own subtree.
    """
    model = type(obj)
    if not model.objects.visible_to(user, action).filter(pk=obj.pk).exists():
        raise PermissionDenied("超出您的管理范围。")
