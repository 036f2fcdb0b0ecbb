from django.conf import settings
from django.core.files.storage import FileSystemStorage


def private_storage() -> FileSystemStorage:
    """Attachments: a folder outside static and media, with no URL; a view serves each file.

    A callable, so migrations name it instead of freezing this machine's path into them; Django
    calls it once, when the model is loaded.
    """
    return FileSystemStorage(location=settings.PRIVATE_STORAGE_ROOT, base_url=None)
