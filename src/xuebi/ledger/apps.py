from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "xuebi.ledger"
    label = "ledger"
    verbose_name = "学习台账"

    def ready(self):
        from django.conf import settings
        from PIL import Image

        # Pillow refuses (at twice this) or warns about any image over the limit the uploads
        # are checked against, wherever in the process an image is opened.
        Image.MAX_IMAGE_PIXELS = settings.XUEBI_IMAGE_MAX_PIXELS

        from xuebi.audit.readable import register_data_labels

        register_data_labels("ledger.record", record_data_labels)

        from xuebi.campaign.sources import register_source_type

        register_source_type("ledger", "台账", record_kinds)  # what campaign rules may count

        from . import tasks

        tasks.register()  # large exports, as a job kind


def record_kinds(codes, active_only: bool) -> list:
    """The record kinds as campaign rules see them (``campaign.sources``)."""
    from xuebi.campaign.sources import SourceKind

    from .models import RecordKind

    rows = RecordKind.objects.order_by("sort_order", "pk")
    if active_only:
        rows = rows.filter(is_active=True)
    if codes is not None:
        rows = rows.filter(code__in=list(codes))
    return [
        SourceKind(
            code=k.code, name=k.name, fields=k.fields, attendee_hours=k.attendee_hours, is_group=k.is_group, is_active=k.is_active
        )
        for k in rows.only("code", "name", "fields", "attendee_hours", "participation", "is_active")
    ]


def record_data_labels(ids: list[str]) -> dict[str, dict[str, str]]:
    """The labels of the fields in records' 内容, for the audit log: their kind's fields (one read)."""
    from .models import Record

    pks = [int(pk) for pk in ids if pk.isdigit() and len(pk) < 19]
    rows = Record.objects.filter(pk__in=pks).values_list("pk", "schema__fields")
    return {
        str(pk): {f["key"]: f.get("label", f["key"]) for f in fields or [] if isinstance(f, dict) and "key" in f}
        for pk, fields in rows
    }
