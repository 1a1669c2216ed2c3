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


def _national_id(body, field):
    """Every client found reads the national id at the top level, next to code and mess; a
    tolerant client also looks under data."""
    data = body.get(ep.LEGACY_DATA)
    nested = data.get(field) if isinstance(data, dict) else None
    return str(body.get(field) or nested or "")


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
        """The whole answer, or the refusal, whichever of the two error styles carries it."""
        body = read_json(response)
        code = _code(body)
        if response.is_success and code == ep.LEGACY_OK:
            return body
        message = _message(body) or f"HTTP {response.status_code}"
        if _looks_locked(response.status_code, code, message):
            raise AccountLocked(message, status=response.status_code)
        raise Rejected(message, status=response.status_code)

    def _data(self, response):
        data = self._checked(response).get(ep.LEGACY_DATA)
        return data if isinstance(data, dict) else {}

    def _write(self, method, kind, document):
        spec = ep.LEGACY_KINDS[kind]
        body = self._checked(self._call(method, spec.path, json=document))
        return PushResult(kind, _national_id(body, spec.national_id_field), ep.COMPLETED)

    def push(self, kind, document) -> PushResult:
        return self._write("POST", kind, document)

    def replace(self, kind, document) -> PushResult:
        return self._write("PUT", kind, document)

    def delete(self, kind, facility_code, record_id):
        path = ep.LEGACY_KINDS[kind].record_path(facility_code, record_id)
        self._checked(self._call("DELETE", path))

    def read_back(self, kind, facility_code, record_id) -> dict:
        path = ep.LEGACY_KINDS[kind].record_path(facility_code, record_id)
        return self._data(self._call("GET", path))

    # The facility's own drug list.

    def _drug_call(self, action, body):
        return self._call("POST", ep.legacy_facility_drug_path(action), json=body)

    def facility_drug_add(self, drug):
        self._checked(self._drug_call(ep.DRUG_ADD, drug))

    def facility_drug_update(self, drug):
        self._checked(self._drug_call(ep.DRUG_UPDATE, drug))

    def facility_drugs(self, facility_code, drug_code="") -> list:
        """The facility's list, or the one drug asked for (an empty list when it is not
        there)."""
        body = {ep.LEGACY_FACILITY: facility_code}
        if drug_code:
            body[ep.FACILITY_DRUG_ID] = drug_code
        found = self._checked(self._drug_call(ep.DRUG_READ, body)).get(ep.LEGACY_DATA) or []
        return found if isinstance(found, list) else [found]

    def facility_drug_delete(self, facility_code, drug_code):
        body = {ep.LEGACY_FACILITY: facility_code, ep.FACILITY_DRUG_ID: drug_code}
        self._checked(self._drug_call(ep.DRUG_DELETE, body))
