from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _

from xuebi.core.forms import NameField, StyledFormMixin
from xuebi.org.choices import Role
from xuebi.org.forms import UnitChoiceField
from xuebi.org.models import Unit, User


class LoginForm(StyledFormMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码不正确。连续输错%(limit)s次将锁定%(minutes)s分钟。"),
        "inactive": _("该账号已停用，请联系系统管理员。"),
    }

    def get_invalid_login_error(self):
        from django.conf import settings

        return forms.ValidationError(
            self.error_messages["invalid_login"],
            code="invalid_login",
            params={"limit": settings.XUEBI_LOCKOUT_FAILURES, "minutes": settings.XUEBI_LOCKOUT_MINUTES},
        )


class OtpTokenForm(StyledFormMixin, forms.Form):
    token = forms.CharField(
        label=_("动态口令"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}),
    )

    def clean_token(self):
        token = self.cleaned_data["token"].strip()
        if not token.isdigit():
            raise forms.ValidationError(_("动态口令为6位数字。"))
        return token


class PasswordChangeForm(StyledFormMixin, SetPasswordForm):
    old_password = forms.CharField(
        label=_("当前密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    field_order = ["old_password", "new_password1", "new_password2"]

    def clean_old_password(self):
        password = self.cleaned_data["old_password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("当前密码不正确。"))
        return password


class UserCreateForm(StyledFormMixin, forms.Form):
    username = forms.RegexField(
        label=_("用户名"),
        regex=r"^[A-Za-z0-9_.-]{3,30}$",
        max_length=30,
        error_messages={"invalid": _("用户名由3–30位字母、数字、下划线、点或短横线组成。")},
    )
    full_name = NameField(label=_("姓名"), max_length=50, error_messages={"required": _("请填写姓名。")})
    password = forms.CharField(label=_("初始密码"), widget=forms.PasswordInput, help_text=_("用户首次登录时须修改。"))


class PasswordResetForm(StyledFormMixin, forms.Form):
    password = forms.CharField(label=_("临时密码"), widget=forms.PasswordInput, help_text=_("用户下次登录时须修改。"))


class RoleGrantForm(StyledFormMixin, forms.Form):
    user = forms.ModelChoiceField(label=_("账号"), queryset=User.objects.filter(is_active=True).order_by("username"))
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)
    unit = UnitChoiceField(
        label=_("单位"),
        queryset=Unit.objects.filter(is_active=True),
        required=False,
        help_text=_("业务角色须选择单位（覆盖其全部下级单位）；三员角色不选单位。"),
    )


class TokenForm(StyledFormMixin, forms.Form):
    """The 访问令牌 page's form; the service (token_create) checks the days against the policy."""

    name = forms.CharField(label=_("用途"), max_length=100, help_text=_("例如：对接学习平台"))
    days = forms.IntegerField(label=_("有效天数"), required=False, error_messages={"invalid": _("有效天数应为正整数。")})

    def __init__(self, *args, **kwargs):
        from django.conf import settings

        super().__init__(*args, **kwargs)
        limit = settings.XUEBI_TOKEN_MAX_AGE_DAYS
        self.fields["days"].help_text = (
            f"留空为{limit}天，可以更短；到期后令牌自动失效。" if limit else "留空为长期有效；填写天数则到期后自动失效。"
        )
        self.fields["days"].widget.attrs.update({"min": 1, "inputmode": "numeric", **({"max": limit} if limit else {})})


class PersonChoiceField(forms.ModelChoiceField):
    """A roster person as the 系统管理员 sees them: name and unit, nothing more."""

    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.unit.name}）"


def _linkable_people(user: User | None = None):
    from django.db.models import Q

    from xuebi.org.choices import PersonStatus
    from xuebi.org.models import Person

    # Active people without an account, and the account's own person even after they left (so
    # the page of a leaver's account can still be saved; linking anew takes active people only).
    free = Q(account__isnull=True, status=PersonStatus.ACTIVE)
    if user is not None and user.person_id:
        free |= Q(pk=user.person_id)
    return Person.objects.filter(free).select_related("unit").order_by("unit__path", "name_pinyin", "pk")


class UserEditForm(StyledFormMixin, forms.Form):
    full_name = NameField(label=_("姓名"), max_length=50, error_messages={"required": _("请填写姓名。")})
    is_active = forms.BooleanField(label=_("启用"), required=False)
    person = PersonChoiceField(
        label=_("对应人员（花名册）"),
        queryset=User.objects.none(),
        required=False,
        empty_label="（不关联）",
        help_text=_("一人只能关联一个账号；组工干部关联后自动成为本单位的干部角色。三员账号不能关联人员。"),
    )

    def __init__(self, *args, account: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = _linkable_people(account)


class AccountOpenForm(StyledFormMixin, forms.Form):
    unit = UnitChoiceField(label=_("单位（含下级）"), queryset=Unit.objects.filter(is_active=True), required=False)
    without_account_only = forms.BooleanField(label=_("只列出尚无账号的人员"), required=False, initial=True)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:  # an admin picks among the units of their own roster
            self.fields["unit"].queryset = units
