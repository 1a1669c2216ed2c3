from django.urls import path

from ..views import register as views

app_name = "register"
urlpatterns = [
    path("", views.entries, name="entries"),
    path("cho-chon-xa/", views.review, name="review"),
    path("co-so/<int:pk>/chon-xa/", views.choose_commune, name="choose_commune"),
    path("nhap/", views.upload, name="upload"),
    path("nhap/<int:pk>/xem-truoc/", views.preview, name="preview"),
    path("nhap/<int:pk>/ghep-cot/", views.columns, name="columns"),
    path("nhap/<int:pk>/", views.import_detail, name="import"),
    path("nhap/<int:pk>/ket-qua.csv", views.report, name="report"),
]
