"""The legacy system (CSDL Dược Quốc gia, 777/QĐ-QLD)."""

from . import endpoints as ep
from .base import NationalClient, PushResult, read_json
from .errors import AccountLocked, Rejected, Unreachable, WrongCredentials


def _code(body):
    # Some clients see the code as a number, others as a string: compare loosely.
    return str(body.get(ep.LEGACY_CODE, "")).strip()


def _message(body):
    for name in ep.LEGACY_MESSAGES:
        if body.get(name):
            return str(body[name])
    return ""


def _looks_locked(status, code, message):
    lowered = message.lower()
    return (
        code == ep.LEGACY_CODE_LOCKED
        or status == int(ep.LEGACY_CODE_LOCKED)
        or any(word in lowered for word in ep.LOCKED_WORDS)
    )


class LegacyClient(NationalClient):
    system = ep.LEGACY

    def _login(self, username, password):
        response = self._transport.request(
            "POST",
            ep.LEGACY_LOGIN_PATH,
            json={ep.LEGACY_USERNAME: username, ep.LEGACY_PASSWORD: password},
        )
        body = read_json(response)
        code = _code(body)
        if response.is_success and code == ep.LEGACY_OK:
            token = (body.get(ep.LEGACY_DATA) or {}).get(ep.LEGACY_TOKEN)
            if not token:
                raise Unreachable("login answered without a token")
            return token
        message = _message(body) or f"HTTP {response.status_code}"
        if response.status_code == 403 or _looks_locked(response.status_code, code, message):
            raise AccountLocked(message, status=response.status_code)
        raise WrongCredentials(message, status=response.status_code)

    def _auth_headers(self):
        return {"Authorization": f"bearer {self._session}"}

    def _checked(self, response):
        """The body's data, or the refusal, whichever of the two error styles carries it."""
        body = read_json(response)
        code = _code(body)
        if response.is_success and code == ep.LEGACY_OK:
            return body.get(ep.LEGACY_DATA) or {}
        message = _message(body) or f"HTTP {response.status_code}"
        if _looks_locked(response.status_code, code, message):
            raise AccountLocked(message, status=response.status_code)
        raise Rejected(message, status=response.status_code)

    def _write(self, method, kind, document):
        spec = ep.LEGACY_KINDS[kind]
        data = self._checked(self._call(method, spec.path, json=document))
        national_id = data.get(spec.national_id_field, "")
        return PushResult(kind, str(national_id), ep.COMPLETED)

    def push(self, kind, document) -> PushResult:
        return self._write("POST", kind, document)

    def replace(self, kind, document) -> PushResult:
        return self._write("PUT", kind, document)

    def delete(self, kind, facility_code, record_id):
        path = ep.LEGACY_KINDS[kind].record_path(facility_code, record_id)
        self._checked(self._call("DELETE", path))

    def read_back(self, kind, facility_code, record_id) -> dict:
        path = ep.LEGACY_KINDS[kind].record_path(facility_code, record_id)
        return self._checked(self._call("GET", path))
