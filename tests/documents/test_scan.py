"""The optional ClamAV scan, tried against a small fake clamd speaking the real protocol."""

import logging
import socket
import socketserver
import struct
import tempfile
import threading
import zlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from provisioning import uploads, virusscan
from provisioning.models import Document
from provisioning.services.dossiers import dossier_create
from provisioning.uploads import validate_upload

from . import corpus

# The standard antivirus test file, in two halves so that no scanner quarantines this module.
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
SIGNATURE = "Eicar-Test-Signature"


class FakeClamd(socketserver.BaseRequestHandler):
    """One command per connection, as clamd serves `z` commands: PING and INSTREAM."""

    def handle(self):
        stream = self.request.makefile("rb")
        command = b""
        while not command.endswith(b"\0"):
            byte = stream.read(1)
            if not byte:
                return
            command += byte
        if command == b"zPING\0":
            self.request.sendall(b"PONG\0")
        elif command == b"zINSTREAM\0":
            data = b""
            while size := struct.unpack("!L", stream.read(4))[0]:
                data += stream.read(size)
            self.server.scanned.append(data)
            self.request.sendall(self.server.reply_to(data))

    @staticmethod
    def verdict(data):
        return f"stream: {SIGNATURE} FOUND\0".encode() if EICAR in data else b"stream: OK\0"


def start(server):
    server.daemon_threads = True
    server.scanned = []
    server.reply_to = FakeClamd.verdict
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return server


@pytest.fixture
def clamd(settings):
    """A fake clamd on a TCP port, named by CLAMAV_HOST and CLAMAV_PORT."""
    server = start(socketserver.ThreadingTCPServer(("127.0.0.1", 0), FakeClamd))
    settings.CLAMAV_SOCKET = ""
    settings.CLAMAV_HOST, settings.CLAMAV_PORT = server.server_address
    settings.CLAMAV_TIMEOUT = 2
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def unix_clamd(settings):
    """A fake clamd on a unix socket (kept in a short path: the limit is ~100 bytes)."""
    with tempfile.TemporaryDirectory(dir="/tmp") as folder:
        path = str(Path(folder) / "clamd.ctl")
        server = start(socketserver.ThreadingUnixStreamServer(path, FakeClamd))
        settings.CLAMAV_SOCKET, settings.CLAMAV_HOST = path, ""
        yield server
        server.shutdown()
        server.server_close()


@pytest.fixture
def clamd_down(settings):
    """CLAMAV_HOST names a port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CLAMAV_SOCKET, settings.CLAMAV_HOST, settings.CLAMAV_PORT = "", "127.0.0.1", port


@pytest.fixture
def no_clamav(settings):
    settings.CLAMAV_SOCKET = settings.CLAMAV_HOST = ""


@pytest.fixture
def site_admin(admin_member):
    admin_member.is_staff = admin_member.is_superuser = True
    admin_member.save()
    return admin_member


def infected_png():
    """A valid image whose text chunk carries the test string, so content checks pass."""
    data = corpus.good_png()
    text = b"tEXt" + b"Comment\0" + EICAR
    chunk = struct.pack("!L", len(text) - 4) + text + struct.pack("!L", zlib.crc32(text))
    end = data.rindex(b"IEND") - 4
    return data[:end] + chunk + data[end:]


def refusal(data, name):
    with pytest.raises(ValidationError) as caught:
        validate_upload(corpus.upload(data, name))
    return caught.value


def test_a_clean_file_is_accepted_after_the_daemon_scanned_it(clamd):
    data = corpus.good_pdf()
    checked = validate_upload(corpus.upload(data, "hop-dong.pdf"))
    assert checked.content_type == "application/pdf"
    assert clamd.scanned == [data]


def test_a_file_carrying_the_eicar_test_string_is_refused_naming_the_signature(clamd):
    error = refusal(infected_png(), "anh-chup.png")
    assert error.code == "malware"
    assert error.message == f"Tệp có chứa mã độc ({SIGNATURE}) và đã bị từ chối."


def test_the_infected_test_image_is_otherwise_a_valid_upload(no_clamav):
    assert validate_upload(corpus.upload(infected_png(), "anh.png")).content_type == "image/png"


def test_the_daemon_on_a_unix_socket_is_used_when_clamav_socket_is_set(unix_clamd):
    assert refusal(infected_png(), "anh.png").code == "malware"
    assert len(unix_clamd.scanned) == 1


def test_a_file_the_content_checks_refuse_never_reaches_the_daemon(clamd):
    assert refusal(corpus.broken_pdf(), "bien-ban.pdf").code == "pdf_unreadable"
    assert clamd.scanned == []


def test_the_file_is_left_rewound_after_the_scan(clamd):
    upload = corpus.upload(corpus.good_pdf(), "hop-dong.pdf")
    validate_upload(upload)
    assert upload.tell() == 0


def test_a_file_is_refused_with_a_try_later_message_when_the_daemon_is_down(clamd_down, caplog):
    with caplog.at_level(logging.ERROR, logger="provisioning.uploads"):
        error = refusal(corpus.good_pdf(), "hop-dong.pdf")
    assert (error.code, error.message) == ("scan_unavailable", uploads.MSG_SCAN_UNAVAILABLE)
    assert "thử lại sau" in error.message
    assert "the virus scan failed" in caplog.text


def test_a_file_is_refused_when_the_daemon_answers_with_an_error(clamd):
    clamd.reply_to = lambda data: b"INSTREAM size limit exceeded. ERROR\0"
    assert refusal(corpus.good_pdf(), "hop-dong.pdf").code == "scan_unavailable"


def test_a_file_is_refused_when_the_daemon_does_not_answer_in_time(settings):
    with socket.socket() as silent:  # accepts connections (the backlog) but never replies
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        settings.CLAMAV_SOCKET = ""
        settings.CLAMAV_HOST, settings.CLAMAV_PORT = silent.getsockname()
        settings.CLAMAV_TIMEOUT = 1
        assert refusal(corpus.good_pdf(), "hop-dong.pdf").code == "scan_unavailable"


def test_nothing_is_scanned_when_clamav_is_not_configured(no_clamav, monkeypatch):
    def must_not_scan(*args, **kwargs):
        raise AssertionError("scanned without a daemon configured")

    monkeypatch.setattr(virusscan, "scan", must_not_scan)
    assert validate_upload(corpus.upload(corpus.good_pdf(), "hop-dong.pdf")).size > 0


def test_the_daemon_answers_ping(clamd):
    assert virusscan.ping() is True


def test_a_daemon_that_is_down_does_not_answer_ping(clamd_down):
    assert virusscan.ping() is False


@pytest.mark.django_db
def test_the_admin_index_says_uploads_are_not_scanned_when_clamav_is_not_configured(
    no_clamav, as_user, site_admin
):
    page = as_user(site_admin).get(reverse("admin:index")).content.decode()
    assert "Tệp tải lên không được quét mã độc vì chưa cấu hình ClamAV." in page
    assert "CLAMAV_SOCKET" in page and "CLAMAV_HOST" in page


@pytest.mark.django_db
def test_the_admin_index_names_the_daemon_and_says_it_answers(clamd, as_user, site_admin):
    page = as_user(site_admin).get(reverse("admin:index")).content.decode()
    host, port = clamd.server_address
    assert f"clamd tại {host}:{port}); clamd đang trả lời." in page
    assert "chưa cấu hình ClamAV" not in page


@pytest.mark.django_db
def test_the_admin_index_warns_that_uploads_are_refused_while_the_daemon_is_down(
    clamd_down, as_user, site_admin
):
    page = as_user(site_admin).get(reverse("admin:index")).content.decode()
    assert "clamd không trả lời" in page
    assert "mọi tệp tải lên đang bị từ chối" in page


@pytest.mark.django_db
def test_an_infected_upload_is_refused_next_to_its_field_and_the_note_is_kept(
    clamd, facility, as_user
):
    dossier = dossier_create(facility=facility, actor=facility.owner)
    response = as_user(facility.owner).post(
        reverse("facility:dossier_edit", args=[dossier.pk]),
        {
            "note": "Đề nghị cấp tài khoản",
            "other": SimpleUploadedFile("anh.png", infected_png(), content_type="image/png"),
            "action": "save",
        },
    )
    message = f"Tệp có chứa mã độc ({SIGNATURE}) và đã bị từ chối."
    assert response.status_code == 200
    assert response.context["form"].errors["other"] == [message]
    assert "Đề nghị cấp tài khoản" in response.content.decode()
    assert not Document.objects.filter(dossier=dossier).exists()
