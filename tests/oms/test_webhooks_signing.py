import hashlib
import hmac
import re
import time

from oms.webhooks import sign_payload, verify_signature

SECRET = "a" * 64
BODY = b'{"id":1,"event":"stock.available_changed","data":{"available":7}}'


def test_signature_header_is_timestamp_and_hex_hmac_of_timestamp_dot_body():
    header = sign_payload(secret=SECRET, body=BODY, timestamp=1_700_000_000)
    assert re.fullmatch(r"t=\d+,v1=[0-9a-f]{64}", header)
    expected = hmac.new(SECRET.encode(), b"1700000000." + BODY, hashlib.sha256).hexdigest()
    assert header == f"t=1700000000,v1={expected}"


def test_signed_body_verifies():
    header = sign_payload(secret=SECRET, body=BODY, timestamp=int(time.time()))
    assert verify_signature(secret=SECRET, body=BODY, header=header)


def test_tampered_body_fails():
    header = sign_payload(secret=SECRET, body=BODY, timestamp=int(time.time()))
    assert not verify_signature(secret=SECRET, body=BODY.replace(b"7", b"8"), header=header)


def test_wrong_secret_fails():
    header = sign_payload(secret=SECRET, body=BODY, timestamp=int(time.time()))
    assert not verify_signature(secret="b" * 64, body=BODY, header=header)


def test_timestamp_outside_tolerance_fails():
    old = int(time.time()) - 301
    header = sign_payload(secret=SECRET, body=BODY, timestamp=old)
    assert not verify_signature(secret=SECRET, body=BODY, header=header)
    assert verify_signature(secret=SECRET, body=BODY, header=header, tolerance_seconds=600)


def test_changed_timestamp_fails():
    now = int(time.time())
    signature = sign_payload(secret=SECRET, body=BODY, timestamp=now).split(",")[1]
    assert not verify_signature(secret=SECRET, body=BODY, header=f"t={now - 1},{signature}")


def test_any_matching_signature_verifies_during_secret_rotation():
    now = int(time.time())
    old = sign_payload(secret="old-secret", body=BODY, timestamp=now).split(",")[1]
    new = sign_payload(secret=SECRET, body=BODY, timestamp=now).split(",")[1]
    assert verify_signature(secret=SECRET, body=BODY, header=f"t={now},{old},{new}")


def test_malformed_headers_fail():
    for header in ["", "garbage", "t=,v1=", "v1=abc", f"t={int(time.time())}", "t=x,v1=00"]:
        assert not verify_signature(secret=SECRET, body=BODY, header=header)
