from django.urls import path

from ..views import api

app_name = "api"
urlpatterns = [
    path("sync-reports", api.sync_reports, name="sync_reports"),
]
