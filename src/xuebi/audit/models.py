from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    """Action codes, grouped by domain (auth.*, org.*, accounts.*, audit.*)."""

    LOGIN = "auth.login", _("登录")
    LOGOUT = "auth.logout", _("退出")
    LOGIN_FAILED = "auth.login_failed", _("登录失败")
    LOCKOUT = "auth.lockout", _("账号锁定")
    SESSION_TIMEOUT = "auth.timeout", _("超时退出")
    PASSWORD_CHANGE = "auth.password_change", _("修改密码")
    OTP_ENABLE = "auth.otp_enable", _("启用双因素认证")
    OTP_DISABLE = "auth.otp_disable", _("停用双因素认证")
    OTP_FAILED = "auth.otp_failed", _("动态口令错误")
    UNIT_CREATE = "org.unit.create", _("新建单位")
    UNIT_UPDATE = "org.unit.update", _("修改单位")
    UNIT_DEACTIVATE = "org.unit.deactivate", _("停用单位")
    PERSON_CREATE = "org.person.create", _("新建人员")
    PERSON_UPDATE = "org.person.update", _("修改人员")
    PERSON_DEACTIVATE = "org.person.deactivate", _("停用人员")
    PERSON_MOVE = "org.person.move", _("人员调动")
    PERSON_REVEAL = "org.person.reveal", _("查看敏感信息")
    ROSTER_IMPORT = "org.roster.import", _("导入花名册")
    ROSTER_EXPORT = "org.roster.export", _("导出花名册")
    USER_CREATE = "accounts.user.create", _("新建账号")
    USER_UPDATE = "accounts.user.update", _("修改账号")
    USER_DEACTIVATE = "accounts.user.deactivate", _("停用账号")
    USER_UNLOCK = "accounts.user.unlock", _("解除锁定")
    PASSWORD_RESET = "accounts.user.password_reset", _("重置密码")
    ROLE_GRANT = "accounts.role.grant", _("授予角色")
    ROLE_REVOKE = "accounts.role.revoke", _("撤销角色")
    USER_LINK = "accounts.user.link", _("关联人员")
    USER_UNLINK = "accounts.user.unlink", _("取消关联人员")
    ACCOUNTS_OPEN = "accounts.open", _("批量开通账号")
    ACCOUNTS_HANDOVER = "accounts.handover", _("交接初始密码")
    TOKEN_CREATE = "accounts.token.create", _("创建访问令牌")
    TOKEN_REVOKE = "accounts.token.revoke", _("撤销访问令牌")
    AUDIT_EXPORT = "audit.export", _("导出操作日志")
    JOB_START = "jobs.start", _("开始后台任务")
    JOB_FINISH = "jobs.finish", _("后台任务结束")
    CAMPAIGN_CREATE = "campaign.create", _("新建活动")
    CAMPAIGN_UPDATE = "campaign.update", _("修改活动")
    INDICATOR_SAVE = "campaign.indicator.save", _("保存考核指标")
    RULE_SAVE = "campaign.rule.save", _("保存积分规则")
    POINTS_ADJUST = "points.adjust", _("加分/扣分")
    POINTS_RECOMPUTE = "points.recompute", _("重算积分")
    KIND_CREATE = "ledger.kind.create", _("新建台账类型")
    KIND_UPDATE = "ledger.kind.update", _("修改台账类型")
    RECORD_CREATE = "ledger.record.create", _("新建台账记录")
    RECORD_UPDATE = "ledger.record.update", _("修改台账记录")
    RECORD_DELETE = "ledger.record.delete", _("删除台账草稿")
    RECORD_SUBMIT = "ledger.record.submit", _("提交台账记录")
    RECORD_RETURN = "ledger.record.return", _("退回台账记录")
    RECORD_APPROVE = "ledger.record.approve", _("通过台账记录")
    RECORD_REOPEN = "ledger.record.reopen", _("撤销通过")
    CORRECTION_PROPOSE = "ledger.correction.propose", _("申请更正台账")
    CORRECTION_APPROVE = "ledger.correction.approve", _("批准台账更正")
    CORRECTION_REJECT = "ledger.correction.reject", _("驳回台账更正")
    EVIDENCE_ADD = "ledger.evidence.add", _("上传佐证材料")
    EVIDENCE_REMOVE = "ledger.evidence.remove", _("删除佐证材料")
    LEDGER_EXPORT = "ledger.export", _("导出台账")
    REQUIREMENT_UPDATE = "ledger.requirement.update", _("修改组织生活要求")
    LECTURE_CREATE = "ledger.lecture.create", _("新建业务讲堂")
    LECTURE_UPDATE = "ledger.lecture.update", _("修改业务讲堂")
    STUDY_LIST_CREATE = "study.list.create", _("新建学习清单")
    STUDY_LIST_UPDATE = "study.list.update", _("修改学习清单")
    STUDY_LIST_PUBLISH = "study.list.publish", _("发布学习清单")
    STUDY_PROGRESS = "study.progress", _("登记学习进度")
    STUDY_PLAN_SAVE = "study.plan.save", _("保存学习计划")
    STUDY_NOTE_SAVE = "study.note.save", _("保存学习笔记")
    NOTICE_CREATE = "reports.notice.create", _("起草通报")
    NOTICE_UPDATE = "reports.notice.update", _("修改通报草稿")
    NOTICE_REGENERATE = "reports.notice.regenerate", _("重新生成通报数据")
    NOTICE_DELETE = "reports.notice.delete", _("删除通报草稿")
    NOTICE_ISSUE = "reports.notice.issue", _("印发通报")
    LETTERHEAD_SAVE = "reports.letterhead.save", _("设置发文机关")
    SUMMARY_SAVE = "reports.summary.save", _("保存年度总结")
    SUMMARY_FIGURES = "reports.summary.figures", _("设置总结数字")
    SUMMARY_EXPORT = "reports.summary.export", _("导出年度总结")
    MEDAL_ISSUE = "org.medal.issue", _("登记纪念章颁发")
    MEDAL_UNDO = "org.medal.undo", _("撤销纪念章颁发")
    MEDAL_EXPORT = "org.medal.export", _("导出纪念章名单")
    CONTEST_SAVE = "contests.contest.save", _("保存评比设置")
    CONTEST_OPEN = "contests.contest.open", _("发布评比")
    CONTEST_ASSIGN = "contests.contest.assign", _("分配评审任务")
    CONTEST_FINAL = "contests.contest.final", _("确定决赛名单")
    CONTEST_PUBLISH = "contests.contest.publish", _("公布评比结果")
    CONTEST_UNPUBLISH = "contests.contest.unpublish", _("撤回评比结果")
    ENTRY_SUBMIT = "contests.entry.submit", _("报送参评作品")
    ENTRY_WITHDRAW = "contests.entry.withdraw", _("撤回参评作品")
    SCORE_SUBMIT = "contests.score.submit", _("提交评分")
    SCORE_REOPEN = "contests.score.reopen", _("退回评分重评")
    ORGINFO_SAVE = "orginfo.item.save", _("保存组工信息")
    ORGINFO_SUBMIT = "orginfo.item.submit", _("报送组工信息")
    ORGINFO_WITHDRAW = "orginfo.item.withdraw", _("撤回组工信息")
    ORGINFO_DELETE = "orginfo.item.delete", _("删除组工信息草稿")
    ORGINFO_ADOPT = "orginfo.adoption.record", _("登记组工信息采用")
    ORGINFO_UNDO = "orginfo.adoption.undo", _("撤销组工信息采用")
    WEBHOOK_SAVE = "notifications.webhook.save", _("设置群机器人")
    CHECKLIST_ITEM_SAVE = "checklists.item.save", _("保存清单事项")
    CHECKLIST_ITEM_MOVE = "checklists.item.move", _("清单事项状态变更")
    CHECKLIST_PROGRESS = "checklists.progress", _("报告清单事项进展")
    CHECKLIST_IMPORT = "checklists.import", _("导入清单事项")
    CHECKLIST_EXPORT = "checklists.export", _("导出清单事项")
    PLEDGE_REVIEW = "checklists.pledge.review", _("践诺评价")
    ASSESSMENT_OPEN = "assessments.open", _("发起考核")
    ASSESSMENT_SUMMARY = "assessments.sheet.summary", _("提交个人小结")
    ASSESSMENT_GRADE = "assessments.sheet.grade", _("拟定考核等次")
    ASSESSMENT_APPROVE = "assessments.approve", _("登记提高优秀比例的批准")
    ASSESSMENT_PUBLICISE = "assessments.publicise", _("公示考核结果")
    ASSESSMENT_OBJECTION = "assessments.objection", _("提出公示异议")
    ASSESSMENT_REPLY = "assessments.objection.reply", _("答复公示异议")
    ASSESSMENT_FINALISE = "assessments.finalise", _("确定考核结果")
    EXAM_BANK_SAVE = "exams.bank.save", _("保存题库")
    EXAM_BANK_DELETE = "exams.bank.delete", _("删除题库")
    EXAM_CATEGORY_SAVE = "exams.category.save", _("保存试题分类")
    EXAM_QUESTION_SAVE = "exams.question.save", _("保存试题")
    EXAM_QUESTION_DELETE = "exams.question.delete", _("删除试题")
    EXAM_QUESTION_IMPORT = "exams.question.import", _("导入试题")
    EXAM_QUESTION_EXPORT = "exams.question.export", _("导出试题")
    EXAM_PAPER_SAVE = "exams.paper.save", _("保存试卷")
    EXAM_PAPER_DELETE = "exams.paper.delete", _("删除试卷")
    EXAM_SAVE = "exams.exam.save", _("保存考试设置")
    EXAM_PUBLISH = "exams.exam.publish", _("发布考试")
    EXAM_CANCEL = "exams.exam.cancel", _("撤销考试")
    EXAM_GRADE = "exams.attempt.grade", _("阅卷评分")
    EXAM_REGRADE = "exams.exam.regrade", _("重新评分")
    EXAM_RESULTS_EXPORT = "exams.results.export", _("导出考试成绩")


class Outcome(models.TextChoices):
    SUCCESS = "success", _("成功")
    FAILURE = "failure", _("失败")


class ActionField(models.CharField):
    """An action code. Its choices (``Action``) grow with every app; they are labels for the log's
    pages, not a constraint of the table, so migrations leave them out (``deconstruct``): a new
    action is a new ``Action`` member and no migration."""

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("choices", None)
        return name, path, args, kwargs


class AuditEntry(models.Model):
    """One audited event. Append-only: nothing in xuebi updates or deletes a row, and on
    PostgreSQL a trigger refuses it (migration 0002)."""

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    # PROTECT: accounts are deactivated, never deleted, so the actor always resolves.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(_("操作人账号"), max_length=150, blank=True)
    action = ActionField(_("操作"), max_length=40, choices=Action.choices, db_index=True)
    outcome = models.CharField(_("结果"), max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS)
    target_type = models.CharField(_("对象类型"), max_length=50, blank=True)
    target_id = models.CharField(_("对象编号"), max_length=50, blank=True)
    target_repr = models.CharField(_("对象"), max_length=200, blank=True)
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)
    ip = models.CharField(_("来源地址"), max_length=45, blank=True)
    request_id = models.CharField(_("请求编号"), max_length=32, blank=True)
    user_agent = models.CharField(_("客户端"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("操作日志")
        verbose_name_plural = _("操作日志")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["target_type", "target_id"]), models.Index(fields=["actor", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("操作日志只能追加，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("操作日志只能追加，不能删除。")
