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


def record_data_labels(ids: list[str]) -> dict[str, dict[str, str]]:
    """The labels of the fields in records' 内容, for the audit log: their kind's fields (one read)."""
    from .models import Record

    pks = [int(pk) for pk in ids if pk.isdigit() and len(pk) < 19]
    rows = Record.objects.filter(pk__in=pks).values_list("pk", "schema__fields")
    return {str(pk): {f["key"]: f.get("label", f["key"]) for f in fields or [] if isinstance(f, dict) and "key" in f}
            for pk, fields in rows}
