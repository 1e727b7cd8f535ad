"""A long piece of work one person started (a large export, import or recomputation), run by
``xuebi worker``: its progress, then its summary, its file or its error in Chinese. And the
periodic tasks' claims: one row per task and period, so several workers start each once."""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    WAITING = "waiting", _("排队中")
    RUNNING = "running", _("进行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


def job_storage():
    """Where result files go: ``settings.STORAGES["jobs"]`` (files under DATA_DIR by default,
    an S3-compatible store in a deployment that sets one) — served only by ``views.download``."""
    return storages["jobs"]


class Job(models.Model):
    kind = models.CharField(_("类型"), max_length=60)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发起人"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=10, choices=JobStatus.choices, default=JobStatus.WAITING)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    done = models.PositiveIntegerField(_("已完成"), default=0)
    total = models.PositiveIntegerField(_("共计"), default=0)
    summary = models.TextField(_("结果摘要"), blank=True)
    result = models.JSONField(_("结果"), default=list, blank=True, help_text=_("结果明细，如重算后每人的积分变化"))
    error = models.TextField(_("错误"), blank=True)
    file = models.FileField(_("结果文件"), storage=job_storage, upload_to="jobs/", max_length=300, blank=True)
    file_name = models.CharField(_("文件名"), max_length=200, blank=True)
    # host:pid of the process running it: a worker that starts again re-queues the jobs of its
    # host's processes that are gone (services.requeue_stale).
    claimed_by = models.CharField(_("运行进程"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status"], name="jobs_job_status")]

    def __str__(self) -> str:
        return f"{self.label}（{self.pk}）"

    @property
    def label(self) -> str:
        from .services import KINDS

        kind = KINDS.get(self.kind)
        return kind.label if kind else self.kind

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)


class PeriodicRun(models.Model):
    """A periodic task started for a period ("2026-11" for a monthly one): the unique key is the
    claim, so with several workers (or a worker restarted) the task is enqueued once a period."""

    name = models.CharField(_("任务"), max_length=60)
    period = models.CharField(_("周期"), max_length=20)
    started_at = models.DateTimeField(_("开始时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("定时任务运行")
        verbose_name_plural = _("定时任务运行")
        constraints = [models.UniqueConstraint(fields=["name", "period"], name="jobs_periodic_once")]
