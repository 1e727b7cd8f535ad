"""Entering a contest: an entry submitted by an author (or a unit admin for their people),
replaced while the window is open — each submission kept as a version — or withdrawn."""

from __future__ import annotations

import hashlib
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from xuebi.audit.models import Action
from xuebi.audit.services import audit_record
from xuebi.core.uploads import check_upload
from xuebi.org.choices import ADMIN_ROLES, Role
from xuebi.org.models import Person
from xuebi.org.scoping import has_role

from .. import blind
from ..models import Contest, Entry, EntryAuthor, EntryFile, EntryStatus, EntryVersion

__all__ = ["entry_submit", "entry_replace", "entry_withdraw", "MAX_FILES"]

MAX_FILES = 5
CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud on a stage


def _require_window(contest: Contest) -> None:
    if not contest.accepts_entries():
        raise ValidationError(
            f"“{contest.title}”的征集时间为 {contest.entry_start:%Y年%-m月%-d日} 至 {contest.entry_end:%Y年%-m月%-d日}，"
            f"现在{contest.phase_label()}，不能报送或修改作品。"
        )


def _check_authors(actor, contest: Contest, authors: list[Person]) -> None:
    if not authors:
        raise ValidationError({"authors": "请至少选择一位作者。"})
    if len(set(a.pk for a in authors)) != len(authors):
        raise ValidationError({"authors": "作者重复。"})
    reachable = set(Person.objects.visible_to(actor, "pick").filter(pk__in=[a.pk for a in authors]).values_list("pk", flat=True))
    for person in authors:
        if person.pk not in reachable:
            raise ValidationError({"authors": f"作者“{person.name}”不在您可以选择的人员范围内。"})
    if not has_role(actor, *ADMIN_ROLES) and actor.person_id not in {a.pk for a in authors}:
        raise PermissionDenied("干部只能报送本人（或本人参与）的作品。")
    people = set(contest.people.values_list("pk", flat=True))
    if people:
        for person in authors:
            if person.pk not in people:
                raise ValidationError({"authors": f"“{person.name}”不在本次评比的参评人员名单中。"})
    units = list(contest.units.all())
    unit = authors[0].unit
    allowed = units or [contest.organizer]
    if not any(unit.path.startswith(u.path) for u in allowed):
        raise ValidationError({"authors": f"第一作者所在单位“{unit.name}”不在本次评比的参评单位范围内。"})


def _check_blind_text(contest: Contest, title: str, text: str, authors: list[Person]) -> None:
    """In a blind contest the judges see the title and the text: neither may name an author or
    their unit."""
    if not contest.blind:
        return
    units = {a.unit.name for a in authors}
    for name in [a.name for a in authors] + sorted(units):
        if len(name) >= 2 and (name in title or name in text):
            raise ValidationError(
                {"text": f"本次评比为匿名评审，作品名称和正文中不能出现作者姓名或单位名称（“{name}”），请删去后再报送。"}
            )


def _new_code(contest: Contest) -> str:
    taken = set(contest.entries.values_list("code", flat=True))
    while True:
        code = "".join(secrets.choice(CODE_LETTERS) for _ in range(5))
        if code not in taken:
            return code


def _store_files(version: EntryVersion, uploads) -> None:
    uploads = list(uploads or [])
    if len(uploads) > MAX_FILES:
        raise ValidationError({"files": f"最多上传 {MAX_FILES} 个文件。"})
    for order, upload in enumerate(uploads):
        checked = check_upload(upload)
        content, extension = blind.clean(checked)
        digest = hashlib.sha256(content).hexdigest()
        name = f"entries/{version.entry.contest_id}/{digest[:2]}/{digest}.{extension}"
        if not default_storage.exists(name):
            name = default_storage.save(name, ContentFile(content))
        EntryFile.objects.create(
            version=version,
            file=name,
            extension=extension,
            size=len(content),
            sha256=digest,
            original_name=checked.original_name,
            sort_order=order,
        )


def _authors_of(entry: Entry, authors: list[Person]) -> None:
    entry.author_rows.all().delete()
    EntryAuthor.objects.bulk_create(
        [EntryAuthor(entry=entry, person=p, unit_id=p.unit_id, sort_order=i) for i, p in enumerate(authors)]
    )


@transaction.atomic
def entry_submit(*, actor, contest: Contest, title: str, text: str = "", authors: list[Person], files=()) -> Entry:
    if not has_role(actor, Role.CADRE, *ADMIN_ROLES):
        raise PermissionDenied("您的角色不能报送参评作品。")
    contest = Contest.objects.select_for_update().get(pk=contest.pk)
    _require_window(contest)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": "请填写作品名称。"})
    _check_authors(actor, contest, authors)
    _check_blind_text(contest, title, text or "", authors)
    if not (text or "").strip() and not files and contest.kind != "speech":
        raise ValidationError({"text": "请填写正文或上传作品文件。"})
    entry = Entry.objects.create(
        contest=contest, code=_new_code(contest), title=title[:200], text=text or "", unit=authors[0].unit, submitted_by=actor
    )
    _authors_of(entry, authors)
    version = EntryVersion.objects.create(entry=entry, number=1, title=entry.title, text=entry.text, created_by=actor)
    _store_files(version, files)
    audit_record(
        action=Action.ENTRY_SUBMIT,
        actor=actor,
        target=entry,
        changes={"title": [None, entry.title], "authors": [None, [a.name for a in authors]], "version": [None, 1]},
    )
    return entry


def _for_change(actor, entry: Entry) -> Entry:
    if not Entry.objects.visible_to(actor, "change").filter(pk=entry.pk).exists():
        raise PermissionDenied("超出您的管理范围。")
    entry = Entry.objects.select_for_update().select_related("contest").get(pk=entry.pk)
    if entry.status == EntryStatus.WITHDRAWN:
        raise ValidationError("该作品已撤回。")
    _require_window(entry.contest)
    return entry


@transaction.atomic
def entry_replace(*, actor, entry: Entry, title: str, text: str = "", authors: list[Person], files=()) -> Entry:
    """A new version of the entry: its title, text and authors as given; the files as uploaded, or
    the previous version's when none are. The earlier versions stay."""
    entry = _for_change(actor, entry)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": "请填写作品名称。"})
    _check_authors(actor, entry.contest, authors)
    _check_blind_text(entry.contest, title, text or "", authors)
    previous = entry.versions.order_by("-number").first()
    before = {"title": entry.title, "authors": [a.name for a in entry.authors.all()], "version": entry.version}
    entry.version += 1
    entry.title, entry.text, entry.unit = title[:200], text or "", authors[0].unit
    entry.save()
    _authors_of(entry, authors)
    version = EntryVersion.objects.create(entry=entry, number=entry.version, title=entry.title, text=entry.text, created_by=actor)
    if files:
        _store_files(version, files)
    elif previous is not None:
        EntryFile.objects.bulk_create(
            [
                EntryFile(
                    version=version,
                    file=f.file.name,
                    extension=f.extension,
                    size=f.size,
                    sha256=f.sha256,
                    original_name=f.original_name,
                    sort_order=f.sort_order,
                )
                for f in previous.files.all()
            ]
        )
    after = {"title": entry.title, "authors": [a.name for a in authors], "version": entry.version}
    audit_record(
        action=Action.ENTRY_SUBMIT,
        actor=actor,
        target=entry,
        changes={k: [before[k], after[k]] for k in after if before[k] != after[k]},
    )
    return entry


@transaction.atomic
def entry_withdraw(*, actor, entry: Entry) -> Entry:
    entry = _for_change(actor, entry)
    entry.status = EntryStatus.WITHDRAWN
    entry.save(update_fields=["status", "updated_at"])
    entry.assignments.all().delete()
    audit_record(action=Action.ENTRY_WITHDRAW, actor=actor, target=entry, changes={"status": ["submitted", "withdrawn"]})
    return entry
