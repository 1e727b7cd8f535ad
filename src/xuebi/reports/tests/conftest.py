import pytest


@pytest.fixture(autouse=True)
def documents_in_tmp(settings, tmp_path):
    """Issued documents go to the test's own directory."""
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "documents")},
        },
    }
