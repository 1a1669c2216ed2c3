"""The portal has a favicon: every page and the admin name it, and it is served."""

import pytest
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.views import serve
from django.test import RequestFactory
from django.urls import reverse

ICONS = ("/static/favicon.svg", "/static/favicon.ico")


@pytest.mark.django_db
@pytest.mark.parametrize("url", [reverse("home"), reverse("account_login"), "/quan-tri/login/"])
def test_the_page_names_the_favicon(client, url):
    # /quan-tri/login/ leads to the portal's login (the admin has none of its own).
    page = client.get(url, follow=True).content.decode()

    for icon in ICONS:
        assert f'rel="icon" href="{icon}"' in page


@pytest.mark.parametrize("name", ["favicon.svg", "favicon.ico"])
def test_the_favicon_is_served_from_static(name):
    response = serve(RequestFactory().get(f"/static/{name}"), name, insecure=True)

    body = b"".join(response.streaming_content)
    assert response.status_code == 200
    assert finders.find(name)
    assert body.startswith(b"<svg") if name.endswith("svg") else body[:4] == b"\0\0\1\0"


@pytest.mark.django_db
def test_browsers_asking_for_favicon_ico_at_the_root_get_the_static_one(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"] == "/static/favicon.ico"
