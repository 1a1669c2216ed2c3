"""allauth adapters: what the portal changes in allauth's behaviour."""

from allauth.mfa.adapter import DefaultMFAAdapter

from . import crypto


class MFAAdapter(DefaultMFAAdapter):
    """TOTP keys and recovery-code seeds are stored encrypted, like initial passwords: a
    copy of the database (a backup, an export) does not give anyone a staff member's codes."""

    def encrypt(self, text):
        return crypto.encrypt(text)

    def decrypt(self, encrypted_text):
        return crypto.decrypt(encrypted_text)
