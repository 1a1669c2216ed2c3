from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProvisioningConfig(AppConfig):
    name = "provisioning"
    verbose_name = _("Cấp tài khoản liên thông")

    def ready(self):
        from . import search

        search.install()
