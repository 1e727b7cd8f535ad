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
