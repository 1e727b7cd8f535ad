from __future__ import annotations

from django import forms

from xuebi.core.forms import StyledFormMixin
from xuebi.org.choices import ADMIN_ROLES
from xuebi.org.models import Unit
from xuebi.org.scoping import subtree_q, unit_paths

from .models import Flavor


class WebhookForm(StyledFormMixin, forms.Form):
    unit = forms.ModelChoiceField(
        label="单位", queryset=Unit.objects.none(), help_text="本单位及下属单位的到期和逾期事项发到这个群。"
    )
    name = forms.CharField(label="名称", max_length=60, help_text="如“镶黄旗组织部工作群”。")
    flavor = forms.ChoiceField(label="类型", choices=Flavor.choices)
    url = forms.CharField(label="Webhook 地址", max_length=500, help_text="在群设置 → 群机器人中添加机器人后复制的完整地址。")
    secret = forms.CharField(
        label="加签密钥",
        required=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=False),
        help_text="钉钉机器人选择“加签”时的密钥（SEC 开头）。保存后不再显示；修改时留空表示不变。",
    )
    is_active = forms.BooleanField(label="启用", required=False, initial=True)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(subtree_q(unit_paths(user, ADMIN_ROLES), ""), is_active=True).order_by(
            "path"
        )
