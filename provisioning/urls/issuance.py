from django.urls import path

from ..views import issuance as views

app_name = "issuance"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("ho-so/<int:pk>/", views.dossier_detail, name="dossier"),
    path("ho-so/<int:pk>/xac-nhan-lien-thong/", views.confirm_interconnection, name="confirm"),
    path("ho-so/<int:pk>/tai-khoan/", views.record_account, name="record_account"),
    path("ho-so/<int:pk>/ban-giao/", views.hand_over, name="hand_over"),
]
