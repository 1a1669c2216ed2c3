from django.urls import path

from ..monitoring import views as monitoring_views
from ..views import monitoring as views

app_name = "monitoring"
urlpatterns = [
    path("khoa-api/", views.api_keys, name="api_keys"),
    path("khoa-api/<int:pk>/thu-hoi/", views.api_key_revoke_view, name="api_key_revoke"),
    path("nhap-hoat-dong/", monitoring_views.activity_import_view, name="activity_import"),
    path("chua-gui-du-lieu/", monitoring_views.silent_accounts_view, name="silent_accounts"),
    path("su-co/", views.incidents, name="incidents"),
    path("tam-ngung/", views.pause_requests, name="pause_requests"),
    path("tam-ngung/<int:pk>/<str:decision>/", views.pause_decide_view, name="pause_decide"),
    path("tai-khoan/<int:pk>/tam-ngung/", views.pause_request_view, name="pause_request"),
    path("khoa-tai-khoan/", views.lock_list, name="lock_list"),
    path("khoa-tai-khoan/<int:pk>/<str:reason>/", views.lock_record, name="lock_record"),
]
