"""The SMS providers' request signatures against their documented examples, and template placeholders."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from lianban.core import sms_signing


def test_aliyun_signature_matches_the_documented_example() -> None:
    # Aliyun SMS "HTTP 协议及签名" example: GET, AccessKeyId testId, secret testSecret
    params = {
        "AccessKeyId": "testId",
        "Action": "SendSms",
        "Format": "XML",
        "OutId": "123",
        "PhoneNumbers": "15300000001",
        "RegionId": "cn-hangzhou",
        "SignName": "阿里云短信测试专用",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
        "SignatureVersion": "1.0",
        "TemplateCode": "SMS_71390007",
        "TemplateParam": '{"customer":"test"}',
        "Timestamp": "2017-07-12T02:42:19Z",
        "Version": "2017-05-25",
    }
    assert sms_signing.aliyun_signature("GET", params, "testSecret") == "zJDF+Lrzhj/ThnlvIToysFRq6t4="
    assert sms_signing.aliyun_signature("GET", {**params, "Signature": "ignored"}, "testSecret") == (
        "zJDF+Lrzhj/ThnlvIToysFRq6t4="
    )


def test_aliyun_percent_encoding_is_rfc3986() -> None:
    assert sms_signing.aliyun_percent("a b*c~d/é") == "a%20b%2Ac~d%2F%C3%A9"


def test_tc3_signature_follows_the_key_derivation_and_the_canonical_request() -> None:
    payload = b'{"PhoneNumberSet":["+8613800000000"]}'
    scope, signature = sms_signing.tc3_signature(
        secret_key="key",
        service="sms",
        host="sms.tencentcloudapi.com",
        content_type="application/json; charset=utf-8",
        payload=payload,
        timestamp=1551113065,
    )
    assert scope == "2019-02-25/sms/tc3_request"
    canonical = (
        "POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:sms.tencentcloudapi.com\n\n"
        "content-type;host\n" + hashlib.sha256(payload).hexdigest()
    )
    to_sign = f"TC3-HMAC-SHA256\n1551113065\n{scope}\n" + hashlib.sha256(canonical.encode()).hexdigest()
    key = b"TC3key"
    for part in ("2019-02-25", "sms", "tc3_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    assert signature == hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    header = sms_signing.tc3_authorization(
        secret_id="AKID",
        secret_key="key",
        service="sms",
        host="sms.tencentcloudapi.com",
        content_type="application/json; charset=utf-8",
        payload=payload,
        timestamp=1551113065,
    )
    assert header == (
        f"TC3-HMAC-SHA256 Credential=AKID/{scope}, SignedHeaders=content-type;host, Signature={signature}"
    )


def test_placeholders_in_order_once_each_and_literal_braces() -> None:
    assert sms_signing.placeholders("{code}：{thing}，{code}，{{不是}}") == ["code", "thing"]
    assert sms_signing.render("{code}（{{x}}）", {"code": "A1"}) == "A1（{x}）"


@pytest.mark.parametrize("text", ["{code", "code}", "{0}", "{code!r}", "{code:>5}", "{a.b}", "{}"])
def test_malformed_placeholders_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        sms_signing.placeholders(text)
