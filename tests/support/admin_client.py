# Admin-API test support: a tiny HTTP client for dnsd's admin API (bearer token, JSON), and the
# [admin] config section for a test dnsd. Standard library only.
from __future__ import annotations

import http.client
import json
import secrets
from pathlib import Path
from typing import Optional


def admin_toml(port: int, token_file: str, *, history: int = 5, state_file: str = "",
               extra: str = "") -> str:
    """extra: further [admin] lines, e.g. 'max_connections = 8\\n'."""
    state = f'state_file = "{state_file}"\n' if state_file else ""
    return (f'\n[admin]\nenabled = true\nlisten = "127.0.0.1:{port}"\ntoken_file = "{token_file}"\n'
            f"history = {history}\n{state}{extra}")


def write_token(path: Path) -> str:
    token = "tok-" + secrets.token_hex(16)
    path.write_text(token + "\n")
    path.chmod(0o600)
    return token


class AdminClient:
    def __init__(self, port: int, token: Optional[str]):
        self.port, self.token = port, token

    def request(self, method: str, path: str, headers: Optional[dict] = None) -> tuple:
        """(status, parsed JSON or text, response headers)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            h = dict(headers or {})
            if self.token is not None:
                h["Authorization"] = f"Bearer {self.token}"
            conn.request(method, path, headers=h)
            resp = conn.getresponse()
            body = resp.read().decode()
            ctype = resp.getheader("Content-Type", "")
            return resp.status, (json.loads(body) if "json" in ctype else body), dict(resp.getheaders())
        finally:
            conn.close()

    def get(self, path: str):
        return self.request("GET", path)[:2]

    def post(self, path: str):
        return self.request("POST", path)[:2]

    def status(self) -> dict:
        code, body = self.get("/api/v1/status")
        if code != 200:
            raise AssertionError(f"status: HTTP {code} {body}")
        return body

    def endpoint(self, profile: str, endpoint: str) -> dict:
        for p in self.status()["profiles"]:
            if p["name"] == profile:
                for e in p["endpoints"]:
                    if e["name"] == endpoint:
                        return e
        raise AssertionError(f"no endpoint {profile} {endpoint} in the status")
