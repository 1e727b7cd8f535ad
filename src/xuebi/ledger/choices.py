from django.db import models
from django.utils.translation import gettext_lazy as _


class FieldType(models.TextChoices):
    TEXT = "text", _("文本")
    TEXTAREA = "textarea", _("长文本")
    NUMBER = "number", _("数字")
    DATE = "date", _("日期")
    CHOICE = "choice", _("单选")
    MULTICHOICE = "multichoice", _("多选")
    PERSON = "person", _("人员")
    UNIT = "unit", _("单位")
    FILE = "file", _("附件")


class Participation(models.TextChoices):
    SINGLE = "single", _("个人记录")
    GROUP = "group", _("集体活动（组织者记录，含参加人员）")


class RecordStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    RETURNED = "returned", _("已退回")
    APPROVED = "approved", _("已通过")


class ParticipantRole(models.TextChoices):
    AUTHOR = "author", _("记录人")
    ATTENDEE = "attendee", _("参加人员")
    PRESENTER = "presenter", _("主讲人")


class StudyLevel(models.TextChoices):
    """五学联动: the level a collective study was held at."""

    CENTER = "center", _("中心组领学")
    ORGAN = "organ", _("机关党委督学")
    BRANCH = "branch", _("党支部深学")
    GROUP = "group", _("党小组促学")
    MEMBER = "member", _("党员研学")


class RecordEventKind(models.TextChoices):
    CREATE = "create", _("新建")
    UPDATE = "update", _("修改")
    SUBMIT = "submit", _("提交")
    RETURN = "return", _("退回")
    APPROVE = "approve", _("通过")
    CORRECTION_PROPOSE = "correction_propose", _("申请更正")
    CORRECTION_APPROVE = "correction_approve", _("更正通过")
    CORRECTION_REJECT = "correction_reject", _("更正驳回")
    DELETE = "delete", _("删除草稿")


class CorrectionStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")


class Frequency(models.TextChoices):
    MONTH = "month", _("每月")
    QUARTER = "quarter", _("每季度")
    HALF = "half", _("每半年")
    YEAR = "year", _("每年")


class LectureStatus(models.TextChoices):
    PLANNED = "planned", _("计划")
    HELD = "held", _("已举办")
    CANCELLED = "cancelled", _("取消")
