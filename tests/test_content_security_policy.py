"""Pages run only the scripts and styles served from static/: a Content-Security-Policy
says so to the browser, and no template relies on inline code the policy would refuse."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# E-mails and letters are never served as pages (letters become PDFs).
NOT_PAGES = ("emails", "letters")
COMMENT = re.compile(r"\{#.*?#\}|\{% comment %\}.*?\{% endcomment %\}", re.DOTALL)
INLINE = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "style element": re.compile(r"<style\b", re.IGNORECASE),
    "style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "event handler": re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
    "javascript: link": re.compile(r"javascript:", re.IGNORECASE),
}


def policy(response):
    return {
        directive.split()[0]: directive.split()[1:]
        for directive in response["Content-Security-Policy"].split("; ")
    }


@pytest.mark.django_db
def test_a_page_allows_scripts_and_styles_from_the_portal_only(client):
    directives = policy(client.get(reverse("home")))

    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in str(directives)


def test_a_staff_page_carries_the_policy_too(as_user, reviewer):
    response = as_user(reviewer).get(reverse("review:queue"))

    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_no_page_template_has_inline_code_the_policy_refuses():
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        if path.relative_to(TEMPLATES).parts[0] in NOT_PAGES:
            continue
        text = COMMENT.sub("", path.read_text(encoding="utf-8"))
        for kind, pattern in INLINE.items():
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(TEMPLATES)}:{line} {kind}")
    assert found == []


def test_the_admin_export_page_wires_its_select_all_box_from_a_static_file(as_user, db):
    from .factories import UserFactory

    superuser = UserFactory(email="quantri@soyte.vn", is_staff=True, is_superuser=True)
    page = as_user(superuser).get(reverse("admin:provisioning_dossier_export")).content.decode()

    assert "js/admin_export.js" in page
