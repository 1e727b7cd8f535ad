"""The notification centre (the bell's page, its unread count for the bell) and the units' group
robots (企业微信、钉钉) with the log of what was sent to them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from xuebi.core.forms import add_validation_error, db_id
from xuebi.org.choices import ADMIN_ROLES
from xuebi.org.permissions import get_visible_or_404, require_role

from . import services
from .forms import WebhookForm
from .models import Delivery, Notification, Webhook


@login_required
def inbox(request):
    rows = Notification.visible_to(request.user)
    unread_only = request.GET.get("unread") == "1"
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/inbox.html",
        {
            "page": page,
            "unread_only": unread_only,
            "unread": Notification.visible_to(request.user).filter(read_at__isnull=True).count(),
        },
    )


@login_required
def unread_count(request):
    """The bell's number (fetched by notifications/bell.js, so no page pays for it)."""
    count = Notification.visible_to(request.user).filter(read_at__isnull=True).count()
    response = JsonResponse({"unread": count})
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def go(request, pk: int):
    """Open a message: mark it read and follow its link (a link into this site only)."""
    note = get_visible_or_404(Notification, request.user, pk)
    services.mark_read(request.user, [note.pk])
    if note.url and url_has_allowed_host_and_scheme(
        note.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(note.url)
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_read(request):
    ids = None if request.POST.get("all") else [i for i in (db_id(v) for v in request.POST.getlist("id")) if i]
    count = services.mark_read(request.user, ids)
    messages.success(request, f"已将 {count} 条消息标为已读。")
    return redirect("notifications:inbox")


# --- group robots ------------------------------------------------------------------------------


@login_required
def webhook_list(request):
    require_role(request, *ADMIN_ROLES)
    hooks = Webhook.objects.visible_to(request.user).select_related("unit")
    recent = Delivery.objects.filter(webhook__in=hooks).select_related("webhook")[:30]
    return render(request, "notifications/webhook_list.html", {"hooks": hooks, "recent": recent})


def _save(request, form, webhook=None):
    try:
        return services.save_webhook(
            actor=request.user,
            webhook=webhook,
            unit=form.cleaned_data["unit"],
            name=form.cleaned_data["name"],
            flavor=form.cleaned_data["flavor"],
            url=form.cleaned_data["url"].strip(),
            secret=form.cleaned_data["secret"] or (None if webhook else ""),
            is_active=form.cleaned_data["is_active"],
        )
    except ValidationError as exc:
        add_validation_error(form, exc, default_field=None)
    return None


@login_required
def webhook_create(request):
    require_role(request, *ADMIN_ROLES)
    form = WebhookForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid() and _save(request, form):
        messages.success(request, "已添加群机器人。可以点“发送测试消息”检查是否接通。")
        return redirect("notifications:webhook_list")
    return render(
        request, "core/form_page.html", {"form": form, "title": "添加群机器人", "back": reverse("notifications:webhook_list")}
    )


@login_required
def webhook_edit(request, pk: int):
    require_role(request, *ADMIN_ROLES)
    webhook = get_visible_or_404(Webhook, request.user, pk, "edit")
    initial = {
        "unit": webhook.unit,
        "name": webhook.name,
        "flavor": webhook.flavor,
        "url": webhook.url,
        "is_active": webhook.is_active,
    }
    form = WebhookForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid() and _save(request, form, webhook):
        messages.success(request, "已保存。")
        return redirect("notifications:webhook_list")
    return render(
        request,
        "core/form_page.html",
        {"form": form, "title": f"修改群机器人：{webhook.name}", "back": reverse("notifications:webhook_list")},
    )


@login_required
@require_POST
def webhook_test(request, pk: int):
    require_role(request, *ADMIN_ROLES)
    webhook = get_visible_or_404(Webhook, request.user, pk, "edit")
    services.send_test(actor=request.user, webhook=webhook)
    messages.success(request, f"测试消息已排队发送到“{webhook.name}”，稍后在下方的发送记录中查看结果。")
    return redirect("notifications:webhook_list")
