from django.urls import path

from ..views import demo

app_name = "demo"
urlpatterns = [
    path("", demo.mailbox, name="mailbox"),
    path("<slug:name>/", demo.mail, name="mail"),
    path("<slug:name>/tep/<int:index>/", demo.attachment, name="attachment"),
]
