"""A thin HTTP client for the public API, as any integrator would write one."""
from __future__ import annotations

import time
import uuid

import requests


class Api:
    def __init__(self, base_url: str, token: str | None = None, username: str | None = None):
        self.base, self.token, self.username = base_url, token, username
        self.http = requests.Session()

    def _headers(self, extra=None) -> dict:
        h = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return {**h, **(extra or {})}

    def get(self, path, **kw):
        return self.http.get(self.base + path, headers=self._headers(kw.pop("headers", None)),
                             timeout=30, **kw)

    def request(self, method, path, **kw):
        return self.http.request(method, self.base + path,
                                 headers=self._headers(kw.pop("headers", None)), timeout=30, **kw)

    def upload(self, data: bytes, filename="pic.jpg", ctype="image/jpeg", **fields):
        return self.request("POST", "/v1/photos", files={"file": (filename, data, ctype)},
                            data=fields)

    def upload_ok(self, data: bytes, **fields) -> dict:
        r = self.upload(data, **fields)
        assert r.status_code == 201, r.text
        return r.json()

    def activate(self, photo_id):
        r = self.request("PUT", "/v1/me/active-photo", json={"photo_id": photo_id})
        assert r.status_code == 200, r.text
        assert r.json()["active_photo_id"] == photo_id
        return r

    def wait_ready(self, photo_id, timeout=15.0) -> dict:
        """Poll the photo until its variants exist; fail after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            r = self.get(f"/v1/photos/{photo_id}")
            assert r.status_code == 200, r.text
            photo = r.json()
            if photo["status"] == "ready":
                return photo
            assert time.monotonic() < deadline, f"photo not ready after {timeout}s: {photo}"
            time.sleep(0.2)


def sign_up(base_url: str) -> Api:
    username = "u" + uuid.uuid4().hex[:12]
    r = requests.post(base_url + "/v1/users", timeout=30,
                      json={"username": username, "password": "correct horse battery"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["username"] == username and body["token"]
    return Api(base_url, body["token"], username)
