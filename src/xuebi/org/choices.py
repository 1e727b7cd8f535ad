from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    LEAGUE_DEPT = "league_dept", _("盟委组织部")
    COUNTY_DEPT = "county_dept", _("旗县市区委组织部")
    SECTION = "section", _("科室")
    BRANCH = "branch", _("党支部")
    OTHER = "other", _("其他")


class Sex(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class PersonStatus(models.TextChoices):
    ACTIVE = "active", _("在职")
    RETIRED = "retired", _("退休")
    TRANSFERRED = "transferred", _("调离")
    DECEASED = "deceased", _("去世")


class Education(models.TextChoices):
    POSTGRADUATE = "postgraduate", _("研究生")
    BACHELOR = "bachelor", _("大学本科")
    COLLEGE = "college", _("大学专科")
    SECONDARY = "secondary", _("中专")
    HIGH_SCHOOL = "high_school", _("高中")
    JUNIOR = "junior", _("初中及以下")


class PoliticalStatus(models.TextChoices):
    MEMBER = "member", _("中共党员")
    PROBATIONARY = "probationary", _("中共预备党员")
    LEAGUE = "league", _("共青团员")
    DEMOCRATIC = "democratic", _("民主党派")
    INDEPENDENT = "independent", _("无党派人士")
    MASSES = "masses", _("群众")


class Role(models.TextChoices):
    CADRE = "cadre", _("干部")
    REVIEWER = "reviewer", _("审核员")
    UNIT_ADMIN = "unit_admin", _("单位管理员")
    LEAGUE_ADMIN = "league_admin", _("盟级管理员")
    JUDGE = "judge", _("评委")
    SYSADMIN = "sysadmin", _("系统管理员")
    SECADMIN = "secadmin", _("安全管理员")
    AUDITOR = "auditor", _("审计管理员")


# 三员分立: these three are held alone, never with a business role or with each other.
SEPARATED_ROLES = frozenset({Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR})
BUSINESS_ROLES = frozenset(set(Role) - SEPARATED_ROLES)
ADMIN_ROLES = frozenset({Role.LEAGUE_ADMIN, Role.UNIT_ADMIN})

# The 56 officially recognised 民族, in the order of GB/T 3304.
ETHNIC_GROUPS = [
    "汉族",
    "蒙古族",
    "回族",
    "藏族",
    "维吾尔族",
    "苗族",
    "彝族",
    "壮族",
    "布依族",
    "朝鲜族",
    "满族",
    "侗族",
    "瑶族",
    "白族",
    "土家族",
    "哈尼族",
    "哈萨克族",
    "傣族",
    "黎族",
    "傈僳族",
    "佤族",
    "畲族",
    "高山族",
    "拉祜族",
    "水族",
    "东乡族",
    "纳西族",
    "景颇族",
    "柯尔克孜族",
    "土族",
    "达斡尔族",
    "仫佬族",
    "羌族",
    "布朗族",
    "撒拉族",
    "毛南族",
    "仡佬族",
    "锡伯族",
    "阿昌族",
    "普米族",
    "塔吉克族",
    "怒族",
    "乌孜别克族",
    "俄罗斯族",
    "鄂温克族",
    "德昂族",
    "保安族",
    "裕固族",
    "京族",
    "塔塔尔族",
    "独龙族",
    "鄂伦春族",
    "赫哲族",
    "门巴族",
    "珞巴族",
    "基诺族",
]
ETHNIC_CHOICES = [(name, name) for name in ETHNIC_GROUPS]
