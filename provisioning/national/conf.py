"""Reading Django settings without needing Django.

The simulator and the traffic generator also run standalone (``python -m``), where no
settings module exists; there every value falls back to its default.
"""

import os

from django.core.exceptions import ImproperlyConfigured


def setting(name, default):
    from django.conf import settings

    if not settings.configured and not os.environ.get("DJANGO_SETTINGS_MODULE"):
        return default
    try:
        return getattr(settings, name, default)
    except ImproperlyConfigured:
        return default
