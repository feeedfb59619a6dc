"""SMS providers behind one interface: Aliyun (dysmsapi ``SendSms``) and Tencent Cloud (``SendSms`` 2021-01-11).

Chosen by ``LIANBAN_SMS_PROVIDER`` (``log``: the demo's, writes the text to the log with the number
masked). Each call answers a :class:`SendResult`: accepted (with the provider's message id, a receipt
comes later), or failed and how (temporary: retried; permanent: the number or the message refused;
technical: our configuration). Endpoints are settings, so the tests point them at a local server.
Secrets and numbers never reach the log.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from django.conf import settings

from lianban.core import sms_signing
from lianban.core.masking import mask

logger = logging.getLogger("lianban.sms")

ACCEPTED, TEMPORARY, PERMANENT, TECHNICAL = "ACCEPTED", "TEMPORARY", "PERMANENT", "TECHNICAL"
DEFAULT_ENDPOINTS = {"aliyun": "https://dysmsapi.aliyuncs.com/", "tencent": "https://sms.tencentcloudapi.com/"}
DEFAULT_REGIONS = {"aliyun": "cn-hangzhou", "tencent": "ap-guangzhou"}


@dataclass(frozen=True, slots=True)
class SendResult:
    """What a provider answered: ``outcome`` (ACCEPTED, TEMPORARY, PERMANENT, TECHNICAL), its id, its code."""

    outcome: str
    ref: str = ""
    code: str = ""
    delivered: bool = False  # no receipt will come: delivered on acceptance (the log provider)


class SmsProvider(Protocol):
    """Hands one templated text message to a provider."""

    name: str

    def send(self, *, phone: str, template: str, params: Mapping[str, str], text: str, out_id: str) -> SendResult:
        """Send ``template`` with ``params`` (``text`` is the rendered message, for providers that take text)."""
        ...


class LogProvider:
    """The demo's provider: the text goes to the log, the number masked; delivered at once."""

    name = "log"

    def send(self, *, phone: str, template: str, params: Mapping[str, str], text: str, out_id: str) -> SendResult:
        """Log the message."""
        logger.info("SMS to %s: %s", mask(phone, "phone"), text)
        return SendResult(ACCEPTED, ref=out_id, delivered=True)


def _http(request: urllib.request.Request) -> tuple[int | None, bytes]:
    """Status and body of a request (None: no answer: refused, reset, timed out)."""
    try:
        with urllib.request.urlopen(request, timeout=settings.LIANBAN_SMS_TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.status, response.read(65536)
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read(65536)
    except (OSError, ValueError) as failed:
        logger.warning("SMS provider did not answer: %s", type(failed).__name__)
        return None, b""


def _json(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _no_answer(status: int | None) -> SendResult | None:
    if status is None or status >= 500 or status == 429:
        return SendResult(TEMPORARY, code=f"HTTP {status}" if status else "no answer")
    return None


#: Aliyun codes: retried later, or our own configuration's fault; any other refusal is permanent.
ALIYUN_TEMPORARY = ("isp.", "Throttling", "isv.BUSINESS_LIMIT_CONTROL", "isv.DAY_LIMIT_CONTROL")
ALIYUN_TECHNICAL = (
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "SignatureNonceUsed",
    "InvalidTimeStamp",
    "isv.ACCOUNT_",
    "isv.AMOUNT_NOT_ENOUGH",
    "isv.SMS_SIGNATURE_ILLEGAL",
    "isv.SMS_TEMPLATE_ILLEGAL",
    "isv.TEMPLATE_MISSING_PARAMETERS",
    "isv.INVALID_PARAMETERS",
    "isv.OUT_OF_SERVICE",
    "Forbidden",
)


class AliyunProvider:
    """Aliyun SMS: ``SendSms`` (RPC style, version 2017-05-25), signed with HMAC-SHA1 (``core.sms_signing``)."""

    name = "aliyun"

    def send(self, *, phone: str, template: str, params: Mapping[str, str], text: str, out_id: str) -> SendResult:
        """POST the signed form; OK gives the BizId receipts will name."""
        query = {
            "AccessKeyId": settings.LIANBAN_SMS_ACCESS_KEY_ID,
            "Action": "SendSms",
            "Format": "JSON",
            "OutId": out_id,
            "PhoneNumbers": phone,
            "RegionId": settings.LIANBAN_SMS_REGION or DEFAULT_REGIONS["aliyun"],
            "SignName": settings.LIANBAN_SMS_SIGN_NAME,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "TemplateCode": template,
            "TemplateParam": json.dumps(dict(params), ensure_ascii=False, separators=(",", ":")),
            "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
        }
        query["Signature"] = sms_signing.aliyun_signature("POST", query, settings.LIANBAN_SMS_ACCESS_KEY_SECRET)
        body = urllib.parse.urlencode(query, quote_via=urllib.parse.quote).encode()
        request = urllib.request.Request(  # noqa: S310 - the configured endpoint
            settings.LIANBAN_SMS_ENDPOINT or DEFAULT_ENDPOINTS["aliyun"],
            data=body,
            method="POST",
            headers={"content-type": "application/x-www-form-urlencoded", "accept": "application/json"},
        )
        status, answer = _http(request)
        data = _json(answer)
        code = str(data.get("Code", ""))
        if code == "OK":
            return SendResult(ACCEPTED, ref=str(data.get("BizId", "")), code=code)
        if not code:
            return _no_answer(status) or SendResult(TECHNICAL, code=f"HTTP {status}")
        if code.startswith(ALIYUN_TEMPORARY):
            return SendResult(TEMPORARY, code=code)
        if code.startswith(ALIYUN_TECHNICAL):
            return SendResult(TECHNICAL, code=code)
        return SendResult(PERMANENT, code=code)


TENCENT_TEMPORARY = ("InternalError", "RequestLimitExceeded", "LimitExceeded", "FailedOperation.InsufficientBalance")
TENCENT_PERMANENT = (
    "InvalidParameterValue.IncorrectPhoneNumber",
    "FailedOperation.PhoneNumberInBlacklist",
    "UnsupportedOperation.ContainDomesticAndInternationalPhoneNumber",
    "InvalidParameterValue.ProhibitedUseUrlInTemplateParameter",
    "FailedOperation.ContainSensitiveWord",
)


class TencentProvider:
    """Tencent Cloud SMS: ``SendSms`` (API 3.0, version 2021-01-11), signed with TC3-HMAC-SHA256."""

    name = "tencent"

    def send(self, *, phone: str, template: str, params: Mapping[str, str], text: str, out_id: str) -> SendResult:
        """POST the signed JSON; ``Ok`` gives the SerialNo receipts name (the template's values in its order)."""
        endpoint = settings.LIANBAN_SMS_ENDPOINT or DEFAULT_ENDPOINTS["tencent"]
        host = urllib.parse.urlsplit(endpoint).netloc
        payload = json.dumps(
            {
                "PhoneNumberSet": [phone if phone.startswith("+") else f"+86{phone}"],
                "SmsSdkAppId": settings.LIANBAN_SMS_APP_ID,
                "SignName": settings.LIANBAN_SMS_SIGN_NAME,
                "TemplateId": template,
                "TemplateParamSet": list(params.values()),
                "SessionContext": out_id,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()
        content_type = "application/json; charset=utf-8"
        timestamp = int(time.time())
        authorization = sms_signing.tc3_authorization(
            secret_id=settings.LIANBAN_SMS_ACCESS_KEY_ID,
            secret_key=settings.LIANBAN_SMS_ACCESS_KEY_SECRET,
            service="sms",
            host=host,
            content_type=content_type,
            payload=payload,
            timestamp=timestamp,
        )
        request = urllib.request.Request(  # noqa: S310 - the configured endpoint
            endpoint,
            data=payload,
            method="POST",
            headers={
                "authorization": authorization,
                "content-type": content_type,
                "host": host,
                "x-tc-action": "SendSms",
                "x-tc-timestamp": str(timestamp),
                "x-tc-version": "2021-01-11",
                "x-tc-region": settings.LIANBAN_SMS_REGION or DEFAULT_REGIONS["tencent"],
            },
        )
        status, answer = _http(request)
        response = _json(answer).get("Response")
        if not isinstance(response, dict):
            return _no_answer(status) or SendResult(TECHNICAL, code=f"HTTP {status}")
        error = response.get("Error")
        if isinstance(error, dict):
            code = str(error.get("Code", ""))
            return SendResult(TEMPORARY if code.startswith(TENCENT_TEMPORARY) else TECHNICAL, code=code)
        statuses = response.get("SendStatusSet") or [{}]
        first = statuses[0] if isinstance(statuses[0], dict) else {}
        code = str(first.get("Code", ""))
        if code == "Ok":
            return SendResult(ACCEPTED, ref=str(first.get("SerialNo", "")), code=code)
        if code.startswith(TENCENT_PERMANENT):
            return SendResult(PERMANENT, code=code)
        if code.startswith(TENCENT_TEMPORARY):
            return SendResult(TEMPORARY, code=code)
        return SendResult(TECHNICAL, code=code or "no status")


PROVIDERS: dict[str, type[SmsProvider]] = {"log": LogProvider, "aliyun": AliyunProvider, "tencent": TencentProvider}


def sms_provider() -> SmsProvider:
    """The configured provider (``LIANBAN_SMS_PROVIDER``)."""
    return PROVIDERS[settings.LIANBAN_SMS_PROVIDER]()
