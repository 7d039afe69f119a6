"""The OpenAPI 3.1 document of the /v1 API, served at /v1/openapi.json (API.md is the prose
version; keep the two in step).

Exact on purpose: every parameter carries the constraints the code enforces
(validation.py), every operation lists every status it can answer with the one error body
(shared/errors.py), and links say where an id or address comes from.
tests/e2e/test_openapi_conformance.py runs schemathesis against it, with every check."""
from __future__ import annotations

from flask import Blueprint, jsonify

from shared.errors import ERROR_SCHEMA
from shared.images import VARIANTS
from shared.photos import MAX_ALT, MAX_EXPIRES_IN, RATINGS

from .validation import MAX_EMAIL, MAX_PASSWORD, MIN_PASSWORD, RESERVED_USERNAMES

bp = Blueprint("metadata_openapi", __name__)

_ERROR = {"$ref": "#/components/schemas/Error"}
_PHOTO = {"$ref": "#/components/schemas/Photo"}
_EMAIL = {"$ref": "#/components/schemas/Email"}
# A Bearer token, or the web page's session cookie (shared/session.py).
_BEARER = [{"bearer": []}, {"session": []}]

# What any operation can answer: its backends down (503 + Retry-After).
_ALWAYS = ("503",)
# What any operation with a JSON body can answer: not a JSON object (400), too big (413).
_JSON_BODY = ("400", "413")
_DESCRIPTIONS = {
    "400": "malformed request", "401": "no valid token", "403": "forbidden",
    "404": "not found", "409": "conflict", "413": "body too large",
    "410": "gone (expired)", "415": "unsupported media type", "422": "invalid field",
    "429": "too many requests",
    "503": "a backend is unavailable; retry after Retry-After seconds",
}
# The HTTP server in front of the app refuses a request line longer than it reads (gunicorn:
# 4094 bytes; nginx, an Ingress: theirs) with its own page, not our error body.
_URI_TOO_LONG = {"414": {"description": "request line too long (answered by the HTTP server)"}}


def _json(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


def _op(summary: str, ok: str, ok_schema: dict | None, errors: tuple[str, ...], *,
        body: dict | None = None, auth: bool = True, links: dict | None = None) -> dict:
    responses = {ok: {"description": "success", **(_json(ok_schema) if ok_schema else {})}}
    if links:
        responses[ok]["links"] = links
    codes = set(errors) | set(_ALWAYS) | (set(_JSON_BODY) if body is not None else set())
    if auth:
        codes.add("401")
    responses.update({code: {"description": _DESCRIPTIONS[code], **_json(_ERROR)}
                      for code in sorted(codes)})
    op = {"summary": summary, "responses": responses}
    if body is not None:
        op["requestBody"] = {"required": True, **_json(body)}
    if auth:
        op["security"] = _BEARER
    return op


def _with(op: dict, responses: dict) -> dict:
    """`op` with more success responses (a route answering 201 or 200)."""
    return {**op, "responses": {**op["responses"], **responses}}


def _obj(required: tuple[str, ...] = (), **props) -> dict:
    schema = {"type": "object", "properties": props}
    if required:
        schema["required"] = list(required)
    return schema


def _link(operation: str, **parameters: str) -> dict:
    return {"operationId": operation, "parameters": parameters}


_S, _I, _NS = {"type": "string"}, {"type": "integer"}, {"type": ["string", "null"]}
_RATING = {"type": "string", "enum": list(RATINGS)}
_ALT = {"type": ["string", "null"], "maxLength": MAX_ALT}
# Compared trimmed and case-insensitively (validation.username); reserved names are refused.
_USERNAME = {"type": "string", "pattern": r"^\s*[A-Za-z0-9_-]{3,32}\s*$",
             "not": {"enum": sorted(RESERVED_USERNAMES)}}
_PASSWORD = {"type": "string", "minLength": MIN_PASSWORD, "maxLength": MAX_PASSWORD}
_ADDRESS_VALUE = {"type": "string", "format": "email", "maxLength": MAX_EMAIL,
                  "description": "trimmed and lower-cased before it is stored"}
_OPTIONAL_ADDRESS = {**_ADDRESS_VALUE, "type": ["string", "null"],
                     "description": "null or absent: no address"}
_PHOTO_ID = {"type": ["string", "null"], "description": "a photo id, or null"}
_TS = {"type": "string", "format": "date-time"}
_TOKEN = {"type": "string", "minLength": 1, "description": "the token of the link"}
_LINK_TOKEN = _obj(("token",), token=_TOKEN)
_TOKEN_QUERY = [{"name": "token", "in": "query", "required": True, "schema": _S}]
_PHOTO_SCHEMA = _obj(
    ("id", "sha256", "width", "height", "format", "bytes", "alt", "rating", "created_at",
     "expires_at", "source_id", "url", "variants", "status"),
    id=_S, sha256=_S, width=_I, height=_I, format=_S, bytes=_I, alt=_NS,
    rating=_RATING, created_at={"type": "string", "format": "date-time"},
    expires_at={"type": ["string", "null"], "format": "date-time",
                "description": "past it /i/… answers 410 and the photo is removed"},
    source_id={"type": ["string", "null"], "description": "the photo this one is an edit of"},
    url=_S, variants=_obj(**dict.fromkeys(VARIANTS, _NS)),
    status={"type": "string", "enum": ["processing", "ready", "failed"]})
_EMAIL_SCHEMA = _obj(
    ("email", "verified", "md5", "sha256", "photo_id"),
    email={"type": "string", "description": "trimmed and lower-cased"},
    verified={"type": "boolean"},
    md5={"type": "string", "description": "hex MD5 of the address: /avatar/<md5>"},
    sha256={"type": "string", "description": "hex SHA-256 of the address: /avatar/<sha256>"},
    photo_id={"type": ["string", "null"],
              "description": "the photo shown for this address; null: the active photo"})
_ID = [{"name": "photo_id", "in": "path", "required": True, "schema": _S}]
_ADDRESS = [{"name": "email", "in": "path", "required": True, "schema": _S,
             "description": "one of your addresses (compared trimmed and lower-cased)"}]
# The upload's form fields as services/upload/fields.py reads them: trimmed, any case, empty
# meaning the default (rating g, activate false).
_FLAG = {"type": "string", "description": "true or false (also 1/0, yes/no, y/n, on/off)",
         "pattern": r"^\s*([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee]|[Yy]([Ee][Ss])?|[Nn][Oo]?"
                    r"|[Oo][Nn]|[Oo][Ff][Ff]|1|0)?\s*$"}
_RATING_FIELD = {"type": "string", "description": "g, pg, r or x (empty: g)",
                 "pattern": r"^\s*([Gg]|[Pp][Gg]|[Rr]|[Xx])?\s*$"}
_ALT_FIELD = {"type": "string", "maxLength": MAX_ALT}
_UPLOAD = {"required": True, "content": {
    "multipart/form-data": {"schema": _obj(
        ("file",), file={"type": "string", "format": "binary"}, alt=_ALT_FIELD,
        rating=_RATING_FIELD, activate=_FLAG)},
    # The raw bytes. alt, rating and activate may then come in the query string, read as the
    # multipart fields are; not listed as parameters, which OpenAPI cannot tie to one
    # content type (with a multipart body the query string is not read).
    "image/*": {"schema": {"type": "string", "format": "binary"}}}}
_PHOTO_LINKS = {
    "GetPhoto": _link("getPhoto", photo_id="$response.body#/id"),
    "PatchPhoto": _link("patchPhoto", photo_id="$response.body#/id"),
    "DeletePhoto": _link("deletePhoto", photo_id="$response.body#/id"),
}
_EMAIL_LINKS = {
    "SetEmailPhoto": _link("setEmailPhoto", email="$response.body#/email"),
    "DeleteEmail": _link("deleteEmail", email="$response.body#/email"),
}


def _named(operation_id: str, op: dict) -> dict:
    return {"operationId": operation_id, **op}


_TICKET_ID = [{"name": "upload_id", "in": "path", "required": True, "schema": _S}]
_TICKET = _obj(
    ("id", "url", "fields", "expires_at"), id=_S,
    url={"type": "string", "description": "where the form is POSTed: the object store's "
         "bucket, or this origin's /v1/uploads/form in standalone"},
    fields={"type": "object", "additionalProperties": _S,
            "description": "form fields to send, in this order, before the `file` field"},
    expires_at={"type": "string", "format": "date-time"})
_TICKET_REQUEST = _obj(
    ("content_type", "bytes"),
    content_type={"type": "string", "enum": ["image/jpeg", "image/png", "image/webp", "image/gif"]},
    bytes={"type": "integer", "minimum": 1,
           "description": "the file's size; the store refuses a larger file (MAX_UPLOAD_BYTES "
                          "at most, else 413)"})
_EXPIRES_IN = {"type": "integer", "minimum": 1, "maximum": MAX_EXPIRES_IN,
               "description": "seconds from now"}
_EXPIRES_AT = {"type": "string", "format": "date-time", "description": "RFC 3339, in the future"}
_COMPLETE = {"required": False, **_json(_obj(
    alt=_ALT_FIELD, rating=_RATING_FIELD, activate={"type": "boolean"},
    expires_in=_EXPIRES_IN, expires_at=_EXPIRES_AT))}
_SIDE = {"type": "integer", "minimum": 1, "maximum": 16384}
_CROP = _obj(("x", "y", "width", "height"),
             x={"type": "integer", "minimum": 0, "maximum": 65536},
             y={"type": "integer", "minimum": 0, "maximum": 65536},
             width={"type": "integer", "minimum": 1, "maximum": 65536},
             height={"type": "integer", "minimum": 1, "maximum": 65536})
_EDIT = {**_obj(crop={**_CROP, "additionalProperties": False},
                rotate={"type": "integer", "enum": [0, 90, 180, 270],
                        "description": "clockwise"},
                flip={"type": "boolean", "description": "mirror left to right"},
                resizeWidth=_SIDE, resizeHeight=_SIDE), "additionalProperties": False}
_FORM = {"required": True, "content": {"multipart/form-data": {"schema": _obj(
    ("key", "Content-Type", "policy", "signature", "file"), key=_S, **{"Content-Type": _S},
    policy=_S, signature=_S, file={"type": "string", "format": "binary"})}}}
_STATS = _obj(("total", "days"), total=_I, days={"type": "array", "items": _obj(
    ("date", "views"), date={"type": "string", "format": "date"}, views=_I)})

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
        "schemas": {"Error": ERROR_SCHEMA, "Photo": _PHOTO_SCHEMA, "Email": _EMAIL_SCHEMA},
    },
    "paths": {
        "/v1/users": {"post": _named("createUser", _op(
            "Sign up; with `email`, a verification message is sent to it. With `session`: "
            "true (the web page) the token is set as the session cookie instead of being in "
            "the body, and X-CSRF-Token must repeat the onepic_csrf cookie (else 403)", "201",
            _obj(("id", "username", "avatar_url"), id=_S, username=_S, token=_S, avatar_url=_S),
            ("403", "409", "422", "429"), auth=False,
            body=_obj(("username", "password"), username=_USERNAME, password=_PASSWORD,
                      email=_OPTIONAL_ADDRESS,
                      # Only the JSON value true signs the page in; any other is ignored.
                      session={"description": "true: set the session cookie (the web page)"})))},
        "/v1/session": {
            "post": _named("createSession", _op(
                "The web page's sign-in: sets the HttpOnly session cookie (an API token) and "
                "the onepic_csrf cookie. X-CSRF-Token must repeat the onepic_csrf cookie the "
                "page set (else 403)", "201", _obj(("username",), username=_S),
                ("401", "403", "422", "429"), auth=False,
                body=_obj(("username", "password"), username=_S, password=_S))),
            "delete": _named("deleteSession", _op(
                "Sign out: revokes the session's token and clears the cookies", "204", None,
                ("403",))),
        },
        "/v1/tokens": {
            "post": _named("createToken", _op(
                "Sign in: issue an API token, valid for TOKEN_TTL (default 30 days). 429: too "
                "many attempts for this username or from this address", "201",
                _obj(("id", "token", "expires_at"), id=_S, token=_S, expires_at=_TS),
                ("401", "422", "429"), auth=False,
                body=_obj(("username", "password"), username=_S, password=_S))),
            "get": _named("listTokens", _op(
                "The account's live tokens (never their secrets)", "200", _obj(
                    ("tokens",), tokens={"type": "array", "items": _obj(
                        ("id", "created_at", "last_used_at", "expires_at", "current"),
                        id=_S, created_at=_TS, last_used_at={**_TS, "type": ["string", "null"]},
                        expires_at=_TS, current={"type": "boolean"})}), ())),
        },
        "/v1/tokens/{token_id}": {
            "parameters": [{"name": "token_id", "in": "path", "required": True, "schema": _S}],
            "delete": _named("revokeToken", _op(
                "Revoke a token at once (signing out is this on the current one)", "204", None,
                ("404",))),
        },
        "/v1/me/password": {"put": _named("changePassword", _op(
            "Change the password; every other token of the account is revoked. 403: the "
            "current password is wrong", "204", None, ("403", "422", "429"),
            body=_obj(("password", "new_password"), password=_S, new_password=_PASSWORD)))},
        "/v1/password-resets": {
            "post": _named("requestPasswordReset", _op(
                "Ask for a password reset: a link goes to each verified address of the account. "
                "202 whether or not the account exists (the answer reveals nothing); 429: too "
                "many attempts", "202", _obj(("status",), status=_S), ("422", "429"),
                auth=False, body=_obj(("username",), username=_S))),
            "get": _named("showPasswordReset", {**_op(
                "The link in the reset message: shows the account and changes nothing. 400: "
                "unknown, used or expired link", "200",
                _obj(("username", "expires_at"), username=_S, expires_at=_TS), ("400",),
                auth=False), "parameters": _TOKEN_QUERY}),
        },
        "/v1/password-resets/confirm": {"post": _named("confirmPasswordReset", _op(
            "Choose the new password with the link's token: every token of the account is "
            "revoked and every reset link dies. 400: unknown, used or expired link", "204", None,
            ("400", "422"), auth=False,
            body=_obj(("token", "new_password"), token=_TOKEN, new_password=_PASSWORD)))},
        "/v1/me": {
            "get": _named("getMe", _op("The account", "200", _obj(
                ("id", "username", "emails", "active_photo_id", "avatar_url"),
                id=_S, username=_S, active_photo_id=_NS, avatar_url=_S,
                emails={"type": "array", "items": _EMAIL}), ())),
            "delete": _named("deleteAccount", _op(
                "Delete the account, its tokens, emails and photos; its URLs serve the default "
                "at once, and bytes no other photo uses are removed by the garbage collector. "
                "403: the password is wrong (nothing is deleted)", "204", None, ("403", "429"),
                body=_obj(("password",), password=_S))),
        },
        "/v1/me/export": {"get": _named("exportAccount", _with(_op(
            "Everything of the account as a zip: account.json (account, emails, photos) and "
            "originals/<sha256>.<ext> for every original it uploaded", "200", None, ("429",)),
            {"200": {"description": "the zip", "content": {"application/zip": {
                "schema": {"type": "string", "format": "binary"}}}}}))},
        "/v1/me/emails": {"post": _named("addEmail", _with(_op(
            "Add an email address and send it a verification link (201); an address already "
            "on the account answers 200, sending a fresh link if it is unverified. "
            "403: its owner said Not me to this account; 409: another account verified it; "
            "429: this claim was mailed moments ago, or too many claims; "
            "503: the message could not be sent (nothing was added)", "201", _EMAIL,
            ("403", "409", "422", "429"), body=_obj(("email",), email=_ADDRESS_VALUE),
            links=_EMAIL_LINKS),
            {"200": {"description": "already on this account", **_json(_EMAIL),
                     "links": _EMAIL_LINKS}}))},
        "/v1/emails/verify": {
            "get": _named("showEmailClaim", {**_op(
                "The link in the verification message: shows whose claim it is and changes "
                "nothing (link scanners open it). A browser (Accept: text/html) gets the web "
                "page with Confirm and Not me. 400: a token this API did not hand out, or one "
                "expired", "200", _obj(("email", "username", "expires_at"), email=_S,
                                       username=_S, expires_at=_TS), ("400",), auth=False),
                "parameters": _TOKEN_QUERY}),
            "post": _named("verifyEmail", _op(
                "Confirm the address: only the claiming account, signed in (again: 200). 404: "
                "the claim is another account's; 409: another account verified the address "
                "first; verifying removes other accounts' unverified claims of it", "200",
                _EMAIL, ("400", "404", "409", "422"), body=_LINK_TOKEN)),
        },
        "/v1/emails/reject": {"post": _named("rejectEmailClaim", _op(
            "Not me: no sign-in; the claim is removed and that account cannot claim the "
            "address again (403 email_refused)", "200",
            _obj(("email", "rejected"), email=_S, rejected={"const": True}), ("400", "422"),
            auth=False, body=_LINK_TOKEN))},
        "/v1/me/emails/{email}": {
            "parameters": _ADDRESS,
            "put": _named("setEmailPhoto", _op(
                "Choose the picture shown for this address (null: the active photo)",
                "200", _EMAIL, ("404", "422"), body=_obj(("photo_id",), photo_id=_PHOTO_ID))),
            "delete": _named("deleteEmail", _op(
                "Remove the address; its hashes stop resolving", "204", None, ("404",))),
        },
        "/v1/me/active-photo": {"put": _named("setActivePhoto", _op(
            "Choose the active photo", "200", _obj(("active_photo_id",), active_photo_id=_NS),
            ("404", "422"), body=_obj(("photo_id",), photo_id=_PHOTO_ID)))},
        "/v1/photos": {
            "get": _named("listPhotos", {**_op(
                "Your photos, newest first; a cursor this API did not hand out is 400", "200",
                _obj(("photos", "next_cursor"), photos={"type": "array", "items": _PHOTO},
                     next_cursor=_NS), ("400",)),
                "parameters": [{"name": "cursor", "in": "query", "schema": _S}]}),
            "post": _named("uploadPhoto", {**_with(_op(
                "Upload a photo: multipart field `file`, or the raw bytes with an image/* "
                "Content-Type (served by the upload service). 400: no `file` field; 415: not "
                "a JPEG, PNG, WebP or GIF; 422: corrupt, empty, too many pixels or frames, "
                "or a bad field; 403 quota_exceeded: the account's photo or byte quota is "
                "full; 429: too many uploads", "201", _PHOTO,
                ("400", "403", "413", "415", "422", "429"),
                links=_PHOTO_LINKS),
                {"200": {"description": "the same bytes again: the existing photo",
                         **_json(_PHOTO), "links": _PHOTO_LINKS}}),
                "requestBody": _UPLOAD}),
        },
        "/v1/uploads": {"post": _named("createUpload", _op(
            "A presigned direct upload: a form POST straight to the object store, limited "
            "to the declared size and type, valid UPLOAD_TICKET_TTL seconds (served by the "
            "upload service). 413: larger than MAX_UPLOAD_BYTES", "201", _TICKET,
            ("403", "415", "422", "429"), body=_TICKET_REQUEST))},
        "/v1/uploads/{upload_id}/complete": {"parameters": _TICKET_ID, "post": _named(
            "completeUpload", {**_with(_op(
                "Admit what was sent with the ticket, as POST /v1/photos does; the stored "
                "object is deleted whatever the outcome. 404: no such ticket of yours (or "
                "used); 409: nothing sent yet; 410: the ticket expired; 413: more than "
                "declared; 415/422: not an accepted image, or a bad field", "201", _PHOTO,
                ("400", "403", "404", "409", "410", "413", "415", "422"), links=_PHOTO_LINKS),
                {"200": {"description": "the same bytes again: the existing photo",
                         **_json(_PHOTO), "links": _PHOTO_LINKS}}),
             "requestBody": _COMPLETE})},
        "/v1/uploads/form": {"post": _named("sendUploadForm", {**_op(
            "Standalone's stand-in for the object store's form POST (the URL of a ticket "
            "when the blob store is files): the signed fields, then `file`. 403: the form "
            "is not as signed, or expired; 413: more than declared", "204", None,
            ("400", "403", "413", "415"), auth=False), "requestBody": _FORM})},
        "/v1/photos/{photo_id}/transform": {"parameters": _ID, "put": _named(
            "transformPhoto", _with(_op(
                "Edit a photo into a NEW one (source_id = this photo; the original stays): "
                "crop (in the photo's width × height), then turn, then mirror, then resize "
                "(one side: aspect kept). 422: a box outside "
                "the picture, an empty edit, or a result over MAX_PIXELS; 409: the original "
                "is not available", "201", _PHOTO, ("403", "404", "409", "422", "429"),
                body=_EDIT, links=_PHOTO_LINKS),
                {"200": {"description": "the result is bytes you have already: that photo",
                         **_json(_PHOTO), "links": _PHOTO_LINKS}}))},
        "/v1/photos/{photo_id}/stats": {"parameters": _ID, "get": _named("getPhotoStats", _op(
            "Views of one of your photos through any URL that shows it (/i/…, /<username>, "
            "/avatar/…; 200 and 304), per UTC day, oldest first; views reach these numbers "
            "within about 10 seconds", "200", _STATS, ("404",)))},
        "/v1/photos/{photo_id}": {
            "parameters": _ID,
            "get": _named("getPhoto", _op("One photo", "200", _PHOTO, ("404",))),
            "patch": _named("patchPhoto", _op(
                "Change alt text, rating or lifetime (expires_at null: none, unless "
                "MAX_PHOTO_LIFETIME caps it; expires_in and expires_at together: 422)", "200",
                _PHOTO, ("404", "422"),
                body=_obj(alt=_ALT, rating=_RATING, expires_in=_EXPIRES_IN,
                          expires_at={**_EXPIRES_AT, "type": ["string", "null"]}))),
            "delete": _named("deletePhoto", _op("Delete a photo", "204", None, ("404",))),
        },
    },
}



def _add_uri_too_long(document: dict) -> None:
    """Every operation whose request line the client lengthens (a path or query parameter)
    can meet the HTTP server's 414."""
    for item in document["paths"].values():
        for method, op in item.items():
            if method != "parameters" and (item.get("parameters") or op.get("parameters")):
                op["responses"].update(_URI_TOO_LONG)


def _add_csrf(document: dict) -> None:
    """With the session cookie, a change without the matching X-CSRF-Token is 403."""
    for item in document["paths"].values():
        for method, op in item.items():
            if method in {"post", "put", "patch", "delete"} and op.get("security"):
                op["responses"].setdefault(
                    "403", {"description": _DESCRIPTIONS["403"], **_json(_ERROR)})


_add_uri_too_long(DOCUMENT)
_add_csrf(DOCUMENT)


@bp.get("/v1/openapi.json")
def openapi_document():
    return jsonify(DOCUMENT)
