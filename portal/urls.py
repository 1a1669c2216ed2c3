from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from provisioning.views import common

urlpatterns = [
    path("", common.home, name="home"),
    path("ca-nhan/", common.profile, name="profile"),
    path("tai-khoan/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # Before the admin's own URLs, so that admin:login is the portal's login with its MFA.
    path("quan-tri/login/", common.admin_login),
    path("quan-tri/", admin.site.urls),
    path("co-so/", include("provisioning.urls.facility")),
    path("tham-dinh/", include("provisioning.urls.review")),
    path("viettel/", include("provisioning.urls.issuance")),
    path("api/v1/", include("provisioning.urls.api")),
    path("theo-doi/", include("provisioning.urls.monitoring")),
    path("so-cap-phep/", include("provisioning.urls.register")),
    path("", include("provisioning.urls.public")),
    path("hop-thu-demo/", include("provisioning.urls.demo")),
    # Browsers ask for /favicon.ico on pages that do not name one (a PDF, an error).
    path(
        "favicon.ico", RedirectView.as_view(url=settings.STATIC_URL + "favicon.ico", permanent=True)
    ),
]

handler400 = "provisioning.views.common.bad_request"
handler404 = "provisioning.views.common.not_found"
handler403 = "provisioning.views.common.forbidden"
handler500 = "provisioning.views.common.server_error"
