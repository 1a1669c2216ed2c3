"""English as the second language: a complete, compiled catalogue, used only when chosen."""

import ast
import gettext
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation

from provisioning.models import DossierStatus

from .flows import dossier_at

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"

# What the catalogue is made from: the project minus these, as in
#   manage.py makemessages -l en --ignore=.venv --ignore=var --ignore=staticfiles \
#       --ignore=tests --ignore=bench
# (hidden entries such as .venv are skipped too).
NOT_SCANNED = {"locale", "var", "staticfiles", "tests", "bench"}


def read_po(path):
    """The entries of a .po file as dicts: msgctxt, msgid, msgid_plural, msgstr[n], flags.

    Enough of the format for what makemessages writes; obsolete (#~) entries are skipped.
    """
    entries, entry, field = [], None, None

    def finish():
        if entry is not None and "msgid" in entry:
            entries.append(entry)

    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#,"):
            finish()
            entry, field = {"flags": {f.strip() for f in line[2:].split(",")}}, None
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[field] += ast.literal_eval(line)
        else:
            keyword, _, value = line.partition(" ")
            if keyword in ("msgctxt", "msgid") and (entry is None or "msgid" in entry):
                finish()
                entry = {"flags": set()}
            field = keyword
            entry[field] = ast.literal_eval(value)
    finish()
    return entries


def translations(entry):
    return [value for key, value in entry.items() if key.startswith("msgstr")]


@pytest.fixture(scope="module")
def po_entries():
    """The messages of the catalogue, without its header."""
    return [e for e in read_po(CATALOGUE / "django.po") if e["msgid"]]


def test_the_english_catalogue_has_every_entry_translated(po_entries):
    untranslated = [e["msgid"] for e in po_entries if not all(translations(e))]

    assert po_entries
    assert untranslated == []


@pytest.mark.skipif(not shutil.which("xgettext"), reason="GNU gettext is not installed")
def test_every_message_in_the_code_is_in_the_english_catalogue(tmp_path, monkeypatch, po_entries):
    """makemessages, run into a scratch catalogue: a msgid it finds that the committed
    catalogue lacks was added to the code without an English translation."""
    for entry in Path(settings.BASE_DIR).iterdir():
        if not entry.name.startswith(".") and entry.name not in NOT_SCANNED:
            (tmp_path / entry.name).symlink_to(entry)
    scratch = tmp_path / "locale"
    scratch.mkdir()
    monkeypatch.chdir(tmp_path)
    # Only the scratch directory may be written: no LOCALE_PATHS of the project, and no
    # `locale` directory met on the walk (the walk follows the links into the project).
    with override_settings(LOCALE_PATHS=[str(scratch)]):
        call_command(
            "makemessages", locale=["en"], symlinks=True, ignore_patterns=["locale"], verbosity=0
        )

    def key(entry):
        return entry.get("msgctxt"), entry["msgid"]

    extracted = read_po(scratch / "en" / "LC_MESSAGES" / "django.po")
    catalogued = {key(e) for e in po_entries}
    missing = sorted({key(e) for e in extracted if e["msgid"]} - catalogued, key=str)

    assert len(extracted) > len(po_entries) / 2
    assert missing == [], "run makemessages -l en (see NOT_SCANNED), then translate"


def test_the_english_catalogue_has_no_fuzzy_entries():
    # The header counts too: msgfmt drops a fuzzy header, and with it the charset.
    entries = read_po(CATALOGUE / "django.po")
    fuzzy = [e["msgid"] or "(header)" for e in entries if "fuzzy" in e["flags"]]

    assert fuzzy == []


def test_the_compiled_catalogue_matches_the_po_file(po_entries):
    with open(CATALOGUE / "django.mo", "rb") as mo:
        compiled = gettext.GNUTranslations(mo)

    stale = []
    for e in po_entries:
        context, msgid = e.get("msgctxt"), e["msgid"]
        if "msgid_plural" in e:
            found = [
                compiled.npgettext(context, msgid, e["msgid_plural"], n)
                if context is not None
                else compiled.ngettext(msgid, e["msgid_plural"], n)
                for n in (1, 2)
            ]
            expected = [e["msgstr[0]"], e["msgstr[1]"]]
        else:
            found = (
                compiled.pgettext(context, msgid)
                if context is not None
                else compiled.gettext(msgid)
            )
            expected = e["msgstr"]
        if found != expected:
            stale.append(msgid)

    assert stale == [], "run: manage.py compilemessages -l en"


@pytest.mark.django_db
def test_the_language_switch_turns_the_home_page_english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})

    page = client.get(reverse("home")).content.decode()

    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "Interconnection accounts for the National Pharmacy Data system" in page
    assert "How it works" in page
    assert "Department of Health" in page
    assert "Cấp tài khoản liên thông Dược Quốc gia" not in page
    assert 'lang="en"' in page


def test_the_facility_dossier_page_is_english_for_an_owner_who_chose_english(facility, as_user):
    dossier = dossier_at(DossierStatus.SUBMITTED, facility=facility)
    client = as_user(facility.owner)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get(reverse("facility:dossier", args=[dossier.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Processing history" in page
    assert "Messages with the Department of Health" in page
    assert "Awaiting review" in page
    assert "Withdraw application" in page
    assert "Quá trình xử lý" not in page
    assert "Trao đổi với Sở Y tế" not in page


@pytest.mark.django_db
def test_without_a_chosen_language_the_home_page_stays_vietnamese_even_for_english_browsers(
    client,
):
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")

    page = response.content.decode()
    assert response["Content-Language"] == "vi"
    assert "Cấp tài khoản liên thông Dược Quốc gia" in page
    assert "Interconnection accounts for the National Pharmacy Data system" not in page


@pytest.mark.django_db
def test_a_letter_on_the_timeline_is_named_in_english(
    as_user, facility, reviewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = dossier_at(DossierStatus.SUBMITTED, facility=facility)
    client = as_user(facility.owner)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(reverse("facility:dossier", args=[dossier.pk])).content.decode()
    assert "Application receipt" in body
    assert "Phiếu tiếp nhận hồ sơ" not in body


@pytest.mark.django_db
def test_an_english_request_leaves_the_next_one_in_vietnamese():
    """Two visitors served one after the other by the same thread, as a worker serves them:
    the first chose English, the second chose nothing."""
    english = Client()
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    first = english.get(reverse("home"))
    second = Client().get(reverse("home"))

    assert first["Content-Language"] == "en"
    assert "How it works" in first.content.decode()
    assert second["Content-Language"] == "vi"
    assert "Cấp tài khoản liên thông Dược Quốc gia" in second.content.decode()
    assert "How it works" not in second.content.decode()
    assert translation.get_language() != "en"
