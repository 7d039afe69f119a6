"""The one error every OnePic service answers with, and its JSON body (API.md, "Errors").

A refusal raised anywhere — a Flask view, render's parameter parser, the image checks — is an
ApiError: a status, a snake_case code, a sentence for a person and the headers the answer
needs (Retry-After, Allow). The Flask apps turn it into a response in shared/web.py; the
plain-WSGI render app and the ops responder (shared/ops.py) use `error_response`."""
from __future__ import annotations

import json

JSON = "application/json"


class ApiError(Exception):
    """An error the client should see: status, snake_case code, a human sentence, headers."""

    def __init__(self, status: int, code: str, message: str,
                 headers: list[tuple[str, str]] | tuple = ()):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = list(headers)


def error_document(code: str, message: str) -> dict:
    """The error body every service answers with: {"error": {"code", "message"}}."""
    return {"error": {"code": code, "message": message}}


def json_bytes(obj) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


def error_response(e: ApiError) -> tuple[int, list[tuple[str, str]], bytes]:
    """(status, headers, body) of `e` for a plain-WSGI app; errors are never cached."""
    body = json_bytes(error_document(e.code, e.message))
    return e.status, [("Content-Type", JSON), ("Content-Length", str(len(body))),
                      ("Cache-Control", "no-store"), *e.headers], body


# The schema of that body, for the OpenAPI document (services/metadata/openapi.py).
ERROR_SCHEMA = {
    "type": "object", "required": ["error"],
    "properties": {"error": {
        "type": "object", "required": ["code", "message"],
        "properties": {"code": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
                       "message": {"type": "string"}}}},
}
