from __future__ import annotations

import functools
import time

import segno
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tables2 import RequestConfig
from openpyxl import Workbook

from xuebi.org.choices import PersonStatus, Role
from xuebi.org.models import RoleGrant, Unit, User
from xuebi.org.scoping import derived_cadre_unit_id, has_role
from xuebi.core import xlsx
from xuebi.core.forms import add_validation_error, db_id, run_service
from xuebi.org.permissions import require_role

from .services import accounts as services
from .services import handover, opening
from .filters import UserFilter
from .forms import (
    AccountOpenForm,
    LoginForm,
    OtpTokenForm,
    PasswordChangeForm,
    PasswordResetForm,
    RoleGrantForm,
    TokenForm,
    UserCreateForm,
    UserEditForm,
)
from .tables import UserTable
from .models import ApiToken

PENDING_KEY = "pending_2fa"
PENDING_SECONDS = 300


def _safe_next(request) -> str:
    target = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME) or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


def _sign_in(request, user) -> None:
    """Log the user in; one who comes back after a 系统管理员 reset their password is told so, once."""
    notice = services.password_reset_notice(user, since=user.last_login)
    login(request, user)
    if notice:
        messages.warning(request, notice)


def login_view(request):
    """Step one: username and password (axes counts failures). Users with a TOTP device go on to step two."""
    if request.user.is_authenticated:
        return redirect(_safe_next(request))
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            request.session[PENDING_KEY] = {
                "user": user.pk,
                "backend": user.backend,
                "at": time.time(),
                "next": _safe_next(request),
            }
            return redirect("accounts:otp_verify")
        _sign_in(request, user)
        return redirect(_safe_next(request))
    return render(request, "accounts/login.html", {"form": form, "next": request.GET.get(REDIRECT_FIELD_NAME, "")})


def otp_verify(request):
    """Step two: the six-digit code from the authenticator app."""
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        messages.info(request, "请重新登录。")
        return redirect("accounts:login")
    user = get_object_or_404(User, pk=pending["user"], is_active=True)
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = services.otp_verify(user=user, token=form.cleaned_data["token"])
        if device is not None:
            request.session.pop(PENDING_KEY, None)
            user.backend = pending["backend"]
            _sign_in(request, user)
            otp_login(request, device)
            return redirect(pending["next"])
        form.add_error("token", "动态口令不正确或已过期，请查看认证器中的最新口令。")
    return render(request, "accounts/otp_verify.html", {"form": form, "account": user})


def locked_out(request, response=None, credentials=None, *args, **kwargs):
    """django-axes calls this when an account or an address is locked."""
    form = LoginForm(request)
    minutes = settings.XUEBI_LOCKOUT_MINUTES
    message = f"登录失败次数过多，账号或来源地址已被锁定{minutes}分钟。如需立即解锁，请联系系统管理员。"
    return render(request, "accounts/login.html", {"form": form, "locked_message": message}, status=403)


@require_POST
def logout_view(request):
    logout(request)
    messages.success(request, "您已安全退出。")
    return redirect("accounts:login")


@login_required
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(user=request.user, new_password=form.cleaned_data["new_password1"])
        except ValidationError as exc:
            form.add_error("new_password1" if not hasattr(exc, "error_dict") else None, exc)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, "密码已修改。")
            return redirect("home:home")
    return render(request, "accounts/password_change.html", {"form": form})


@login_required
def otp_setup(request):
    """Bind an authenticator app (TOTP): scan the QR code, confirm with one code."""
    user = request.user
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="认证器", confirmed=False)
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.otp_confirm(user=user, device=device, token=form.cleaned_data["token"]):
            otp_login(request, device)
            messages.success(request, "双因素认证已启用。以后登录时须输入动态口令。")
            return redirect("home:home")
        form.add_error("token", "动态口令不正确，请确认手机时间准确后重试。")
    # segno draws the QR code as SVG paths: no text from the account reaches the markup, so it is
    # marked safe here, where that is known, and no template marks anything safe.
    qr_svg = mark_safe(segno.make(device.config_url, micro=False).svg_inline(scale=4))  # noqa: S308
    return render(
        request,
        "accounts/otp_setup.html",
        {
            "form": form,
            "qr_svg": qr_svg,
            "secret": _base32(device.bin_key),
            "confirmed": confirmed,
        },
    )


def _base32(key: bytes) -> str:
    import base64

    return base64.b32encode(key).decode().rstrip("=")


@login_required
def tokens(request):
    form = TokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        created = run_service(form, lambda: services.token_create(user=request.user, **form.cleaned_data))
        if created is not None:
            new_key = created[1]
            messages.success(request, "令牌已创建。请立即复制保存，离开本页后将无法再次查看。")
            form = TokenForm()
    items = ApiToken.objects.filter(user=request.user)
    return render(request, "accounts/tokens.html", {"form": form, "tokens": items, "new_key": new_key})


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.token_revoke(actor=request.user, token=token)
    messages.success(request, "令牌已撤销。")
    return redirect("accounts:tokens")


# --- 系统管理员: accounts -----------------------------------------------------------------


@login_required
def user_list(request):
    require_role(request, Role.SYSADMIN)
    users = User.objects.select_related("person__unit").prefetch_related("role_grants__unit")
    user_filter = UserFilter(request.GET or None, queryset=users)
    locked = set(
        AccessAttempt.objects.filter(failures_since_start__gte=settings.XUEBI_LOCKOUT_FAILURES).values_list("username", flat=True)
    )
    table = UserTable(user_filter.qs, locked=locked)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return render(request, "accounts/user_list.html", {"filter": user_filter, "table": table})


@login_required
def user_detail(request, pk: int):
    """One account: its person and unit, its roles, and the edit form (name, active, linked person)."""
    require_role(request, Role.SYSADMIN)
    account = get_object_or_404(User.objects.select_related("person__unit"), pk=pk)
    initial = {"full_name": account.full_name, "is_active": account.is_active, "person": account.person_id}
    form = UserEditForm(request.POST or None, initial=initial, account=account)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = run_service(
            form,
            lambda: services.user_edit(
                actor=request.user, user=account, full_name=data["full_name"], is_active=data["is_active"], person=data["person"]
            ),
        )
        if done is not None:
            messages.success(request, f"账号 {account.username} 已保存。")
            return redirect("accounts:user_detail", pk=pk)
    grants = account.role_grants.select_related("unit").order_by("role")
    derived_unit = Unit.objects.filter(pk=derived_cadre_unit_id(account)).first() if account.is_active else None
    return render(
        request,
        "accounts/user_detail.html",
        {
            "account": account,
            "form": form,
            "grants": grants,
            "derived_unit": derived_unit,
        },
    )


# --- 系统管理员: opening accounts from the roster ------------------------------------------


@login_required
def accounts_open(request):
    """Pick a unit subtree; the preview lists everyone with the username they would get (tick off
    whom to leave out); confirming opens them all in one transaction and goes to the handover."""
    require_role(request, *opening.OPENERS)
    if request.method == "POST":
        person_ids = [pk for pk in (db_id(v) for v in request.POST.getlist("person")) if pk is not None]
        expected = {pk: request.POST[f"username_{pk}"] for pk in person_ids if request.POST.get(f"username_{pk}")}
        try:
            opened = opening.accounts_open(actor=request.user, person_ids=person_ids, expected=expected)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect(f"{reverse('accounts:accounts_open')}?{request.POST.get('query', '')}")
        batch = handover.stash(request.session, opened)
        messages.success(request, f"已开通 {len(opened)} 个账号。请立即下载初始密码表并打印开通通知单：初始密码只交接这一次。")
        return redirect("accounts:handover", batch=batch)
    form = AccountOpenForm(request.GET or None, units=opening.opening_units(request.user))
    plan = None
    if request.GET and form.is_valid():
        try:
            plan = opening.accounts_open_preview(
                actor=request.user, unit=form.cleaned_data["unit"], without_account_only=form.cleaned_data["without_account_only"]
            )
        except ValidationError as exc:
            add_validation_error(form, exc, default_field="unit")
    return render(
        request,
        "accounts/accounts_open.html",
        {
            "form": form,
            "plan": plan,
            "query": request.GET.urlencode(),
            "max_batch": opening.MAX_BATCH,
            "style": opening.USERNAME_STYLES.get(settings.XUEBI_USERNAME_STYLE, ""),
            "cadres_only": not has_role(request.user, Role.SYSADMIN),
        },
    )


@login_required
def handover_page(request, batch: str):
    require_role(request, *opening.OPENERS)
    state = handover.status(request.session, batch)
    return render(
        request,
        "accounts/handover.html",
        {
            "batch": batch,
            "state": state,
            "minutes": handover.HANDOVER_MINUTES,
            "is_sysadmin": has_role(request.user, Role.SYSADMIN),
        },
    )


def _handed_over(request, batch: str):
    messages.warning(request, "该批初始密码已交接（或已超过保存时间），不再显示；如有遗失，只能为该账号重置密码。")
    return redirect("accounts:handover", batch=batch)


def _handing_over(what: str):
    """A view that hands a batch's initial passwords over once as ``what`` (handover.take: the
    first time only, audited), or says they were handed over already; never cached."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, batch: str):
            require_role(request, *opening.OPENERS)
            rows = handover.take(request.session, batch, what, actor=request.user)
            if rows is None:
                return _handed_over(request, batch)
            response = view(request, batch, rows)
            response["Cache-Control"] = "no-store"
            return response

        return wrapper

    return decorate


@login_required
@require_POST
@_handing_over("xlsx")
def handover_xlsx(request, batch: str, rows):
    wb = Workbook()
    ws = wb.active
    ws.title = "初始密码"
    ws.append(["姓名", "单位", "用户名", "初始密码", "登录地址"])
    site = _site_url(request)
    for row in rows:
        ws.append([*row, site])
    for col, width in zip("ABCDE", (12, 30, 16, 16, 32)):
        ws.column_dimensions[col].width = width
    return xlsx.download(xlsx.save(wb), "开通账号初始密码.xlsx")


@login_required
@require_POST
@_handing_over("slips")
def handover_slips(request, batch: str, rows):
    slips = [{"name": r[0], "unit": r[1], "username": r[2], "password": r[3]} for r in rows]
    return render(request, "accounts/slips.html", {"slips": slips, "site": _site_url(request), "batch": batch})


@login_required
@require_POST
def handover_finish(request, batch: str):
    require_role(request, *opening.OPENERS)
    handover.finish(request.session, batch)
    messages.success(request, "初始密码已清除，不再显示。")
    return redirect("accounts:handover", batch=batch)


def _site_url(request) -> str:
    return settings.XUEBI_SITE_URL or request.build_absolute_uri("/")


@login_required
def user_create(request):
    require_role(request, Role.SYSADMIN)
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_validation_error(form, exc, default_field="password")
        else:
            messages.success(request, f"账号 {form.cleaned_data['username']} 已创建。请通知安全管理员授予角色。")
            return redirect("accounts:user_list")
    return render(request, "core/form_page.html", {"form": form, "title": "新建账号", "back": reverse("accounts:user_list")})


@login_required
def user_password_reset(request, pk: int):
    require_role(request, Role.SYSADMIN)
    target = get_object_or_404(User, pk=pk)
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_password_reset(actor=request.user, user=target, password=form.cleaned_data["password"])
        except ValidationError as exc:
            add_validation_error(form, exc, default_field="password")
        else:
            messages.success(
                request, f"已为 {target.username} 设置临时密码：其访问令牌已撤销、已登录的会话已结束，下次登录时须修改密码。"
            )
            return redirect("accounts:user_list")
    return render(
        request,
        "core/form_page.html",
        {"form": form, "title": f"重置密码：{target.username}", "back": reverse("accounts:user_list")},
    )


@login_required
@require_POST
def user_unlock(request, pk: int):
    require_role(request, Role.SYSADMIN)
    target = get_object_or_404(User, pk=pk)
    services.user_unlock(actor=request.user, user=target)
    messages.success(request, f"已解除 {target.username} 的锁定。")
    return redirect("accounts:user_list")


@login_required
@require_POST
def user_toggle_active(request, pk: int):
    require_role(request, Role.SYSADMIN)
    target = get_object_or_404(User, pk=pk)
    try:
        if target.is_active:
            services.user_deactivate(actor=request.user, user=target)
            messages.success(request, f"账号 {target.username} 已停用。")
        else:
            services.user_activate(actor=request.user, user=target)
            messages.success(request, f"账号 {target.username} 已启用。")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("accounts:user_list")


# --- 安全管理员: roles and policy --------------------------------------------------------


@login_required
def grant_list(request):
    require_role(request, Role.SECADMIN)
    form = RoleGrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.role_grant(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_validation_error(form, exc, default_field="role")
        else:
            messages.success(request, "角色已授予。")
            return redirect("accounts:grant_list")
    grants = RoleGrant.objects.select_related("user", "unit").order_by("user__username", "role")
    # A linked 组工干部 is a cadre of their person's unit without a grant (org.scoping.grants_of).
    derived = (
        User.objects.filter(is_active=True, person__status=PersonStatus.ACTIVE, person__is_org_cadre=True)
        .select_related("person__unit")
        .order_by("username")
    )
    return render(request, "accounts/grant_list.html", {"form": form, "grants": grants, "derived": derived})


@login_required
@require_POST
def grant_revoke(request, pk: int):
    require_role(request, Role.SECADMIN)
    grant = get_object_or_404(RoleGrant, pk=pk)
    try:
        services.role_revoke(actor=request.user, grant=grant)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "角色已撤销。")
    return redirect("accounts:grant_list")


@login_required
def policy(request):
    require_role(request, Role.SECADMIN, Role.SYSADMIN)
    rows = [
        ("密码最短长度", "8 位"),
        ("密码复杂度", "大写字母、小写字母、数字、符号中至少 3 类，且不得包含用户名"),
        ("密码有效期", f"{settings.XUEBI_PASSWORD_MAX_AGE_DAYS} 天（XUEBI_PASSWORD_MAX_AGE_DAYS）"),
        (
            "登录失败锁定",
            f"连续 {settings.XUEBI_LOCKOUT_FAILURES} 次失败锁定 {settings.XUEBI_LOCKOUT_MINUTES} 分钟（按账号和来源地址分别计）",
        ),
        ("空闲超时", f"{settings.XUEBI_IDLE_TIMEOUT_MINUTES} 分钟无操作自动退出（XUEBI_IDLE_TIMEOUT_MINUTES）"),
        ("双因素认证", _two_factor_policy()),
        (
            "访问令牌有效期",
            f"最长 {settings.XUEBI_TOKEN_MAX_AGE_DAYS} 天（XUEBI_TOKEN_MAX_AGE_DAYS）"
            if settings.XUEBI_TOKEN_MAX_AGE_DAYS
            else "不限（XUEBI_TOKEN_MAX_AGE_DAYS=0）",
        ),
        ("三员分立", "系统管理员、安全管理员、审计管理员相互独立，且不得兼任业务角色"),
        ("HTTPS 安全 Cookie", "已启用" if settings.HTTPS else "未启用（部署在 HTTPS 后请设置 XUEBI_HTTPS=1）"),
    ]
    return render(request, "accounts/policy.html", {"rows": rows})


def _two_factor_policy() -> str:
    if not settings.XUEBI_REQUIRE_2FA:
        return "可选启用（XUEBI_REQUIRE_2FA 未开启）"
    labels = "、".join(str(Role(code).label) for code in settings.XUEBI_REQUIRE_2FA_ROLES)
    return f"{labels}必须启用（XUEBI_REQUIRE_2FA_ROLES）"
