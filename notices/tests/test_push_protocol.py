"""Web Push end to end against a push service on loopback that speaks the protocol: the worker's
request carries a VAPID token signed by our key for that service's origin (RFC 8292), and a body
only the subscribed browser's keys decrypt (RFC 8291, aes128gcm); a subscription the service
says is gone is forgotten."""

import base64
import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from notices.models import PushSubscription
from notices.push import push_pending
from notices.services import notify, push_subscribe

pytestmark = pytest.mark.django_db


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _point(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )


class PushService:
    """What a browser vendor's push service does with our request, on 127.0.0.1."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.status = 201
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                service.received.append(
                    {
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": body,
                    }
                )
                self.send_response(service.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def service() -> Iterator[PushService]:
    running = PushService()
    yield running
    running.server.shutdown()


@pytest.fixture
def vapid(settings) -> ec.EllipticCurvePrivateKey:
    key = ec.generate_private_key(ec.SECP256R1())
    settings.PARTYORG_VAPID_PRIVATE_KEY = _b64(
        key.private_numbers().private_value.to_bytes(32, "big")
    )
    settings.PARTYORG_VAPID_PUBLIC_KEY = _b64(_point(key))
    settings.PARTYORG_VAPID_SUBJECT = "mailto:ban-to-chuc@example.vn"
    return key


def _browser_subscribes(user, endpoint: str) -> tuple[ec.EllipticCurvePrivateKey, bytes]:
    """What the browser's PushManager.subscribe() makes and the page sends us."""
    key, auth = ec.generate_private_key(ec.SECP256R1()), os.urandom(16)
    push_subscribe(user, endpoint=endpoint, p256dh=_b64(_point(key)), auth=_b64(auth))
    return key, auth


def _verified_claims(authorization: str, vapid_key: ec.EllipticCurvePrivateKey) -> dict[str, Any]:
    """The VAPID token's claims, once its ES256 signature checks out against our public key."""
    scheme, _sep, params = authorization.partition(" ")
    assert scheme == "vapid"
    fields = dict(part.strip().split("=", 1) for part in params.split(","))
    assert _unb64(fields["k"]) == _point(vapid_key)
    header, claims, signature = fields["t"].split(".")
    raw = _unb64(signature)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    vapid_key.public_key().verify(
        der, f"{header}.{claims}".encode(), ec.ECDSA(hashes.SHA256())
    )  # raises if forged
    return json.loads(_unb64(claims))


def test_a_notification_reaches_the_push_service_signed_and_readable_only_by_the_browser(
    world, service: PushService, vapid
) -> None:
    member = world.users["member"]
    browser_key, auth = _browser_subscribes(member, f"{service.origin}/wpush/v2/abc")
    notify(
        [member],
        kind="meeting",
        title="Giấy mời: Sinh hoạt tháng 12",
        body="19:30 tại hội trường",
        url="/so-tay/sinh-hoat/1/",
    )

    assert push_pending() == 1
    (request,) = service.received
    assert request["path"] == "/wpush/v2/abc"
    headers = request["headers"]
    assert headers["content-encoding"] == "aes128gcm" and int(headers["ttl"]) > 0
    claims = _verified_claims(headers["authorization"], vapid)
    assert claims["aud"] == service.origin and claims["sub"] == "mailto:ban-to-chuc@example.vn"
    # Only the browser's private key and auth secret open the message.
    payload = json.loads(
        http_ece.decrypt(
            request["body"], private_key=browser_key, auth_secret=auth, version="aes128gcm"
        )
    )
    assert payload == {
        "title": "Giấy mời: Sinh hoạt tháng 12",
        "body": "19:30 tại hội trường",
        "url": "/so-tay/sinh-hoat/1/",
    }
    assert b"Sinh ho" not in request["body"]
    assert PushSubscription.objects.get().last_ok_at is not None


def test_a_subscription_the_service_says_is_gone_is_forgotten(
    world, service: PushService, vapid
) -> None:
    member = world.users["member"]
    _browser_subscribes(member, f"{service.origin}/wpush/v2/gone")
    service.status = 410
    notify([member], kind="meeting", title="Giấy mời", body="", url="/so-tay/")
    push_pending()
    assert len(service.received) == 1 and not PushSubscription.objects.exists()
