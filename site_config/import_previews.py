"""Where an uploaded import file waits between its preview and the editor's confirmation.

django-import-export keeps it in the server's temporary folder by default, so a
confirmation that lands on another app server (or after a restart) is a 500, and every
abandoned preview stays on disk. Here it waits in the default cache, which every app
server reads (Redis; without Redis, the cache all workers of the one machine share), for
at most IMPORT_PREVIEW_SECONDS. A preview that is gone by then is a message, not a 500.
"""

from django.conf import settings
from import_export.tmp_storages import CacheStorage


class ImportPreviewGone(Exception):
    """The preview expired, was already imported, or never existed (a forged name)."""

    message = (
        "This import preview has expired or was already imported. "
        "Choose the file again to see a new preview."
    )


class ImportPreviewNotStored(Exception):
    """The cache refused the file, so there would be nothing to confirm."""

    message = "The import preview could not be stored just now. Please try again shortly."


class CachedImportPreview(CacheStorage):
    CACHE_PREFIX = "import-preview-"

    def save(self, data):
        self.CACHE_LIFETIME = settings.IMPORT_PREVIEW_SECONDS
        try:
            super().save(data)
        except Exception as error:  # the cache's client errors have no common base
            raise ImportPreviewNotStored from error

    def read(self):
        data = super().read()
        if data is None:
            raise ImportPreviewGone
        return data
