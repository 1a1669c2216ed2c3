from django.urls import path

from ..views import facility as views

app_name = "facility"
urlpatterns = [
    path("", views.home, name="home"),
    path("ho-so-co-so/moi/", views.facility_create, name="facility_create"),
    path("ho-so-co-so/<int:pk>/sua/", views.facility_edit, name="facility_edit"),
    path("ho-so-co-so/<int:pk>/de-nghi/", views.dossier_create, name="dossier_create"),
    path("de-nghi/<int:pk>/", views.dossier_detail, name="dossier"),
    path("de-nghi/<int:pk>/soan/", views.dossier_edit, name="dossier_edit"),
    path("de-nghi/<int:pk>/nop/", views.dossier_submit, name="dossier_submit"),
    path("de-nghi/<int:pk>/don-de-nghi/", views.dossier_request_letter, name="request_letter"),
    path("de-nghi/<int:pk>/bo-sung/", views.dossier_respond, name="dossier_respond"),
    path("de-nghi/<int:pk>/rut/", views.dossier_withdraw, name="dossier_withdraw"),
    path("de-nghi/<int:pk>/trao-doi/", views.dossier_message, name="dossier_message"),
    path("de-nghi/<int:pk>/bien-nhan/", views.dossier_receipt, name="dossier_receipt"),
    path("de-nghi/<int:pk>/tai-khoan/", views.account_reveal, name="account_reveal"),
    path("de-nghi/<int:pk>/da-doi-mat-khau/", views.account_confirm, name="account_confirm"),
]
