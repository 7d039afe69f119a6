"""The origin's own presigned POST, for blob stores that cannot take uploads from clients
(files in standalone): the same shape as S3's (`url` + form `fields`, the file last), so a
client's flow is identical in both modes.

The policy (key, content type, size limit, expiry) travels in the form, base64 JSON, with
an HMAC-SHA256 signature by a key only the upload service knows (derived from the
INTERNAL_TOKEN secret, with a purpose label so the two uses never share a key)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

from shared.errors import ApiError


class Signer:
    def __init__(self, secret: str, clock=time.time):
        self._key = hmac.new(secret.encode(), b"onepic upload policy v1", hashlib.sha256).digest()
        self._clock = clock

    def _sign(self, policy: str) -> str:
        return hmac.new(self._key, policy.encode(), hashlib.sha256).hexdigest()

    def post(self, url: str, key: str, content_type: str, max_bytes: int,
             expires_in: int) -> dict:
        policy = base64.b64encode(json.dumps({
            "key": key, "content_type": content_type, "max_bytes": max_bytes,
            "expires": int(self._clock()) + expires_in}).encode()).decode()
        return {"url": url, "fields": {"key": key, "Content-Type": content_type,
                                       "policy": policy, "signature": self._sign(policy)}}

    def check(self, form) -> dict:
        """The policy of a form POST whose fields match it and whose signature is ours and
        in time; 403 otherwise (as S3 answers a policy that fails)."""
        policy, signature = form.get("policy") or "", form.get("signature") or ""
        # As bytes: compare_digest refuses non-ASCII str, and the form may hold anything.
        if not hmac.compare_digest(self._sign(policy).encode(), signature.encode()):
            raise ApiError(403, "invalid_signature", "The upload form is not one OnePic signed.")
        terms = json.loads(base64.b64decode(policy))
        if terms["expires"] < self._clock():
            raise ApiError(403, "upload_expired", "This upload form has expired; ask for a new one.")
        if form.get("key") != terms["key"] or form.get("Content-Type") != terms["content_type"]:
            raise ApiError(403, "policy_mismatch",
                           "The form's key or Content-Type differs from what was signed.")
        return terms
