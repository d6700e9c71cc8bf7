"""A stand-in push service on 127.0.0.1 for the tests: it takes what the server POSTs to a subscription's
endpoint and decrypts it with the subscription's private key (RFC 8291 through `http_ece`), as the phone
would; each endpoint can be told to answer 410 Gone (the browser dropped the subscription)."""

from __future__ import annotations

import base64
import json
import os
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class Subscription:
    """A browser's side of a subscription: the key pair and auth secret only the phone knows."""

    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes

    @property
    def keys(self) -> dict[str, str]:
        point = self.private_key.public_key().public_bytes(serialization.Encoding.X962,
                                                           serialization.PublicFormat.UncompressedPoint)
        return {"p256dh": b64url(point), "auth": b64url(self.auth)}

    def as_json(self) -> dict[str, Any]:
        return {"endpoint": self.endpoint, "expirationTime": None, "keys": self.keys}


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    plaintext: bytes = b""

    @property
    def payload(self) -> dict[str, Any]:
        return json.loads(self.plaintext)  # type: ignore[no-any-return]


@dataclass
class PushService:
    url: str
    subscriptions: dict[str, Subscription] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    answers: dict[str, int] = field(default_factory=dict)  # path → status to answer (default 201)

    def subscribe(self) -> Subscription:
        path = "/push/" + b64url(os.urandom(12))
        sub = Subscription(self.url + path, ec.generate_private_key(ec.SECP256R1()), os.urandom(16))
        self.subscriptions[path] = sub
        return sub

    def gone(self, sub: Subscription) -> None:
        self.answers[sub.endpoint.removeprefix(self.url)] = 410

    def for_subscription(self, sub: Subscription) -> list[Received]:
        return [r for r in self.received if self.url + r.path == sub.endpoint]


def start() -> tuple[PushService, ThreadingHTTPServer]:
    service: PushService

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            received = Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            sub = service.subscriptions.get(self.path)
            if sub is not None:
                received.plaintext = http_ece.decrypt(body, private_key=sub.private_key, auth_secret=sub.auth,
                                                      version="aes128gcm")
            service.received.append(received)
            status = service.answers.get(self.path, 201 if sub is not None else 404)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    service = PushService(f"http://127.0.0.1:{server.server_port}")
    threading.Thread(target=server.serve_forever, name="push-service", daemon=True).start()
    return service, server
