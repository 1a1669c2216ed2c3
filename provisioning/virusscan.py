"""A small client for the ClamAV daemon (clamd): scan a stream, and ask whether it answers.

No maintained client exists on PyPI, and the protocol is short (`man clamd`, "COMMANDS"):

- A command is sent as `z<NAME>\\0`; the reply ends with `\\0`.
- `zPING\\0` is answered `PONG\\0`.
- `zINSTREAM\\0` is followed by the data in chunks, each preceded by its length as a 4-byte
  big-endian unsigned integer, and a zero length to end. clamd answers `stream: OK\\0`,
  `stream: <Signature> FOUND\\0`, or a line ending in `ERROR` (for instance when the stream
  is longer than clamd's StreamMaxLength, which must therefore stay above
  UPLOAD_MAX_FILE_BYTES; clamd's default is 25 MB).

The daemon is named by CLAMAV_SOCKET (a unix socket path) or CLAMAV_HOST and CLAMAV_PORT;
with neither set, nothing is scanned. Callers must fail closed on ScanError.
"""

import socket
import struct

from django.conf import settings

DEFAULT_PORT = 3310
DEFAULT_TIMEOUT = 10
PING_TIMEOUT = 2
_MAX_REPLY = 4096


class ScanError(Exception):
    """clamd could not be reached, timed out, or answered with an error."""


def daemon_address():
    """The unix socket path, a (host, port) pair, or None when scanning is not configured."""
    path = getattr(settings, "CLAMAV_SOCKET", "")
    host = getattr(settings, "CLAMAV_HOST", "")
    if path:
        return path
    if host:
        return (host, int(getattr(settings, "CLAMAV_PORT", DEFAULT_PORT)))
    return None


def describe(address) -> str:
    return f"unix:{address}" if isinstance(address, str) else f"{address[0]}:{address[1]}"


def scan(chunks, *, address=None, timeout=None):
    """Stream `chunks` (bytes) to clamd; return the signature found, or None if clean."""
    reply = _ask(address, timeout, b"INSTREAM", chunks)
    if reply == "stream: OK":
        return None
    if reply.startswith("stream: ") and reply.endswith(" FOUND"):
        return reply.removeprefix("stream: ").removesuffix(" FOUND")
    raise ScanError(f"clamd answered {reply!r}")


def ping(*, address=None, timeout=PING_TIMEOUT) -> bool:
    try:
        return _ask(address, timeout, b"PING") == "PONG"
    except ScanError:
        return False


def _ask(address, timeout, command, chunks=None) -> str:
    address = address or daemon_address()
    if address is None:
        raise ScanError("ClamAV is not configured")
    timeout = timeout or getattr(settings, "CLAMAV_TIMEOUT", DEFAULT_TIMEOUT)
    try:
        with _connect(address, timeout) as conn:
            conn.sendall(b"z" + command + b"\0")
            if chunks is not None:
                for chunk in chunks:
                    if chunk:  # an empty chunk would end the stream early
                        conn.sendall(struct.pack("!L", len(chunk)) + chunk)
                conn.sendall(struct.pack("!L", 0))
            reply = b""
            while not reply.endswith(b"\0") and len(reply) < _MAX_REPLY:
                data = conn.recv(_MAX_REPLY)
                if not data:
                    break
                reply += data
    except OSError as exc:  # refused, missing socket, timeout, reset mid-stream
        raise ScanError(f"clamd at {describe(address)}: {exc}") from exc
    return reply.rstrip(b"\0").decode("utf-8", "replace").strip()


def _connect(address, timeout):
    if not isinstance(address, str):
        return socket.create_connection(address, timeout=timeout)
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.settimeout(timeout)
    try:
        conn.connect(address)
    except OSError:
        conn.close()
        raise
    return conn
