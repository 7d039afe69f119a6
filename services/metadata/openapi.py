"""The OpenAPI 3.1 document of the /v1 API, served at /v1/openapi.json (API.md is the prose
version; keep the two in step)."""
from __future__ import annotations

from flask import Blueprint, jsonify

from shared.images import VARIANTS

bp = Blueprint("metadata_openapi", __name__)

_ERROR = {"$ref": "#/components/schemas/Error"}
_PHOTO = {"$ref": "#/components/schemas/Photo"}
_EMAIL = {"$ref": "#/components/schemas/Email"}
# A Bearer token, or the web page's session cookie (shared/session.py).
_BEARER = [{"bearer": []}, {"session": []}]


def _json(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


def _op(summary: str, ok: str, ok_schema: dict | None, errors: tuple[str, ...], *,
        body: dict | None = None, auth: bool = True) -> dict:
    responses = {ok: {"description": "success", **(_json(ok_schema) if ok_schema else {})}}
    responses.update({code: {"description": "error", **_json(_ERROR)} for code in errors})
    op = {"summary": summary, "responses": responses}
    if body is not None:
        op["requestBody"] = {"required": True, **_json(body)}
    if auth:
        op["security"] = _BEARER
    return op


def _with(op: dict, responses: dict) -> dict:
    """`op` with more success responses (a route answering 201 or 200)."""
    return {**op, "responses": {**op["responses"], **responses}}


def _obj(**props) -> dict:
    return {"type": "object", "properties": props}


_S, _I, _NS = {"type": "string"}, {"type": "integer"}, {"type": ["string", "null"]}
_TS = {"type": "string", "format": "date-time"}
_TOKEN_BODY = {**_obj(token={"type": "string", "description": "the token of the link"}),
               "required": ["token"]}
_PHOTO_SCHEMA = _obj(
    id=_S, sha256=_S, width=_I, height=_I, format=_S, bytes=_I, alt=_NS,
    rating={"enum": ["g", "pg", "r", "x"]}, created_at={"type": "string", "format": "date-time"},
    url=_S, variants=_obj(**dict.fromkeys(VARIANTS, _NS)),
    status={"enum": ["processing", "ready"]})
_ID = [{"name": "photo_id", "in": "path", "required": True, "schema": _S}]
_EMAIL_SCHEMA = _obj(
    email={"type": "string", "description": "trimmed and lower-cased"},
    verified={"type": "boolean"},
    md5={"type": "string", "description": "hex MD5 of the address: /avatar/<md5>"},
    sha256={"type": "string", "description": "hex SHA-256 of the address: /avatar/<sha256>"},
    photo_id={"type": ["string", "null"],
              "description": "the photo shown for this address; null: the active photo"})
_ADDRESS = [{"name": "email", "in": "path", "required": True, "schema": _S,
             "description": "one of your addresses (compared trimmed and lower-cased)"}]
_FLAG = {"type": "string", "enum": ["true", "false"]}
_UPLOAD = {"required": True, "content": {
    "multipart/form-data": {"schema": {
        "type": "object", "required": ["file"],
        "properties": {"file": {"type": "string", "format": "binary"}, "alt": _S,
                       "rating": {"enum": ["g", "pg", "r", "x"]}, "activate": _FLAG}}},
    "image/*": {"schema": {"type": "string", "format": "binary"}}}}

DOCUMENT = {
    "openapi": "3.1.0",
    "info": {"title": "OnePic", "version": "1"},
    "components": {
        "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"},
            "session": {"type": "apiKey", "in": "cookie", "name": "onepic_session",
                        "description": "The web page's session (POST /v1/session). With it, "
                        "every POST/PUT/PATCH/DELETE must send X-CSRF-Token equal to the "
                        "onepic_csrf cookie, else 403 csrf_failed."}},
        "schemas": {"Error": _obj(error=_obj(code=_S, message=_S)), "Photo": _PHOTO_SCHEMA,
                    "Email": _EMAIL_SCHEMA},
    },
    "paths": {
        "/v1/users": {"post": _op(
            "Sign up; with `email`, a verification message is sent to it. With `session`: "
            "true (the web page) the token is set as the session cookie instead of being in "
            "the body, and X-CSRF-Token must repeat the onepic_csrf cookie (else 403)", "201",
            _obj(id=_S, username=_S, token=_S, avatar_url=_S),
            ("400", "403", "409", "422", "429"),
            body=_obj(username=_S, password=_S, email=_S, session={"type": "boolean"}),
            auth=False)},
        "/v1/session": {
            "post": _op("The web page's sign-in: sets the HttpOnly session cookie (an API "
                        "token) and the onepic_csrf cookie. X-CSRF-Token must repeat the "
                        "onepic_csrf cookie the page set (else 403)", "201", _obj(username=_S),
                        ("400", "401", "403", "422", "429"), body=_obj(username=_S, password=_S),
                        auth=False),
            "delete": _op("Sign out: revokes the session's token and clears the cookies",
                          "204", None, ("401", "403")),
        },
        "/v1/tokens": {
            "post": _op("Sign in: issue an API token, valid for TOKEN_TTL (default 30 days). "
                        "429: too many attempts for this username or from this address",
                        "201", _obj(id=_S, token=_S, expires_at=_TS),
                        ("400", "401", "422", "429"), body=_obj(username=_S, password=_S),
                        auth=False),
            "get": _op("The account's live tokens (never their secrets)", "200", _obj(
                tokens={"type": "array", "items": _obj(
                    id=_S, created_at=_TS, last_used_at={**_TS, "type": ["string", "null"]},
                    expires_at=_TS, current={"type": "boolean"})}), ("401",))},
        "/v1/tokens/{token_id}": {
            "parameters": [{"name": "token_id", "in": "path", "required": True, "schema": _S}],
            "delete": _op("Revoke a token at once (signing out is this on the current one)",
                          "204", None, ("401", "404"))},
        "/v1/password-resets": {
            "post": _op(
                "Ask for a password reset: a link goes to each verified address of the account. "
                "202 whether or not the account exists (the answer reveals nothing); 429: too "
                "many attempts", "202", _obj(status=_S), ("400", "422", "429"),
                body={**_obj(username=_S), "required": ["username"]}, auth=False),
            "get": {**_op(
                "The link in the reset message: shows the account and changes nothing. 400: "
                "unknown, used or expired link", "200", _obj(username=_S, expires_at=_TS),
                ("400",), auth=False),
                "parameters": [{"name": "token", "in": "query", "required": True,
                                "schema": _S}]}},
        "/v1/password-resets/confirm": {"post": _op(
            "Choose the new password with the link's token: every token of the account is "
            "revoked and every reset link dies", "204", None, ("400", "422"),
            body={**_obj(token=_S, new_password=_S), "required": ["token", "new_password"]},
            auth=False)},
        "/v1/me/password": {"put": _op(
            "Change the password; every other token of the account is revoked. "
            "403: the current password is wrong", "204", None, ("400", "401", "403", "422", "429"),
            body={**_obj(password=_S, new_password=_S), "required": ["password", "new_password"]})},
        "/v1/me": {
            "get": _op("The account", "200", _obj(
                id=_S, username=_S, active_photo_id=_NS, avatar_url=_S,
                emails={"type": "array", "items": _EMAIL}), ("401",)),
            "delete": _op(
                "Delete the account, its tokens, emails and photos; its URLs serve the default "
                "at once. 403: the password is wrong (nothing is deleted)", "204", None,
                ("400", "401", "403", "429"),
                body={**_obj(password=_S), "required": ["password"]})},
        "/v1/me/export": {"get": {**_op(
            "Everything of the account as a zip: account.json (account, emails, photos) and "
            "originals/<sha256>.<ext> for every original it uploaded", "200", None,
            ("401", "429")),
            "responses": {
                "200": {"description": "the zip", "content": {"application/zip": {
                    "schema": {"type": "string", "format": "binary"}}}},
                **{c: {"description": "error", **_json(_ERROR)} for c in ("401", "429")}}}},
        "/v1/me/emails": {"post": _with(_op(
            "Add an email address and send it a verification link (201); an address already "
            "on the account answers 200, sending a fresh link if it is unverified. "
            "403: its owner said Not me to this account; 409: another account verified it; "
            "429: this claim was mailed moments ago, or too many claims; "
            "503: the message could not be sent (nothing was added)", "201", _EMAIL,
            ("400", "401", "403", "409", "422", "429", "503"), body=_obj(email=_S)),
            {"200": {"description": "already on this account", **_json(_EMAIL)}})},
        "/v1/emails/verify": {
            "get": {**_op(
                "The link in the verification message: shows whose claim it is and changes "
                "nothing (link scanners open it). A browser (Accept: text/html) gets the web "
                "page with Confirm and Not me. 400: unknown or expired link", "200",
                _obj(email=_S, username=_S, expires_at=_TS), ("400",), auth=False),
                "parameters": [{"name": "token", "in": "query", "required": True,
                                "schema": _S}]},
            "post": _op(
                "Confirm the address: only the claiming account, signed in (again: 200). "
                "401: not signed in; 404: the claim is another account's; 409: another "
                "account verified the address first; verifying removes other accounts' "
                "unverified claims of it", "200", _EMAIL, ("400", "401", "404", "409", "422"),
                body=_TOKEN_BODY)},
        "/v1/emails/reject": {"post": _op(
            "Not me: no sign-in; the claim is removed and that account cannot claim the "
            "address again (403 email_refused)", "200", _obj(email=_S, rejected={"const": True}),
            ("400", "422"), body=_TOKEN_BODY, auth=False)},
        "/v1/me/emails/{email}": {
            "parameters": _ADDRESS,
            "put": _op("Choose the picture shown for this address (null: the active photo)",
                       "200", _EMAIL, ("400", "401", "404", "422"), body=_obj(photo_id=_NS)),
            "delete": _op("Remove the address; its hashes stop resolving", "204", None,
                          ("401", "404")),
        },
        "/v1/me/active-photo": {"put": _op("Choose the active photo", "200",
                                           _obj(active_photo_id=_NS), ("400", "401", "404", "422"),
                                           body=_obj(photo_id=_NS))},
        "/v1/photos": {
            "get": {**_op("Your photos, newest first", "200", _obj(
                photos={"type": "array", "items": _PHOTO}, next_cursor=_NS), ("400", "401")),
                "parameters": [{"name": "cursor", "in": "query", "schema": _S}]},
            "post": {**_with(_op(
                "Upload a photo: multipart field `file`, or the raw bytes with an image/* "
                "Content-Type (served by the upload service). 403 quota_exceeded: the "
                "account's photo or byte quota is full; 429: too many uploads",
                "201", _PHOTO, ("401", "403", "413", "415", "422", "429")),
                {"200": {"description": "the same bytes again: the existing photo",
                         **_json(_PHOTO)}}),
                "requestBody": _UPLOAD},
        },
        "/v1/photos/{photo_id}": {
            "parameters": _ID,
            "get": _op("One photo", "200", _PHOTO, ("401", "404")),
            "patch": _op("Change alt text or rating", "200", _PHOTO, ("400", "401", "404", "422"),
                         body=_obj(alt=_NS, rating={"enum": ["g", "pg", "r", "x"]})),
            "delete": _op("Delete a photo", "204", None, ("401", "404")),
        },
    },
}


@bp.get("/v1/openapi.json")
def openapi_document():
    return jsonify(DOCUMENT)
