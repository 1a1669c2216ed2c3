from django.urls import path

from ..views import review as views

app_name = "review"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("ho-so/<int:pk>/", views.dossier_detail, name="dossier"),
    path("ho-so/<int:pk>/tiep-theo/", views.next_dossier, name="next"),
    path("ho-so/<int:pk>/yeu-cau-bo-sung/", views.request_info, name="request_info"),
    path("ho-so/<int:pk>/de-xuat/", views.propose, name="propose"),
    path("ho-so/<int:pk>/quyet-dinh/", views.decide, name="decide"),
    path("ho-so/<int:pk>/trao-doi/", views.comment, name="comment"),
    path("ho-so/<int:pk>/xin-loi/", views.send_apology, name="send_apology"),
    path(
        "ho-so/<int:pk>/cho-phep-hoan-thanh/",
        views.override_change_check,
        name="override_change_check",
    ),
]
