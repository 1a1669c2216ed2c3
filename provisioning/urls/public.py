from django.urls import path

from ..views import common

app_name = "public"
urlpatterns = [
    path("tra-cuu/", common.lookup, name="lookup"),
    path("tai-lieu/<int:pk>/", common.document, name="document"),
    path("tai-lieu-huong-dan/<int:pk>/", common.guidance, name="guidance"),
    path("thu/<int:pk>/", common.letter, name="letter"),
    path("xac-thuc/<str:code>/", common.verify, name="verify"),
]
