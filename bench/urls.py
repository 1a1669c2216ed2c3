"""The portal's URLs plus `/bench/ok/`: the cheapest page behind the same middleware, the
unit every benchmark ratio is measured in."""

from django.http import HttpResponse
from django.urls import include, path


def ok(request):
    return HttpResponse("ok")


urlpatterns = [
    path("bench/ok/", ok, name="bench_ok"),
    path("", include("portal.urls")),
]
