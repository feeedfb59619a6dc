"""The receipt callback of the SMS providers: ``POST /messages/receipts/<provider>/<secret>/``."""

from __future__ import annotations

import hmac
import json
import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from lianban.messaging.services import receipt_items, receipts_accept

logger = logging.getLogger(__name__)

#: What each provider expects as the answer to a receipt callback it delivered.
ANSWERS = {"aliyun": {"code": 0, "msg": "成功"}, "tencent": {"result": 0, "errmsg": "OK"}}
MAX_BODY = 1024 * 1024


@csrf_exempt
@require_POST
def receipts(request: HttpRequest, provider: str, secret: str) -> HttpResponse:
    """Accept a provider's delivery receipts: 403 for a wrong secret, 400 for a body that is not receipts.

    Only the configured provider's receipts are taken; the same receipt twice changes nothing.
    """
    expected = settings.LIANBAN_SMS_RECEIPT_SECRET
    if provider != settings.LIANBAN_SMS_PROVIDER or provider not in ANSWERS or not expected:
        return JsonResponse({"error": "unknown provider"}, status=404)
    if not hmac.compare_digest(secret.encode(), expected.encode()):
        logger.warning("receipt callback for %s refused: wrong secret", provider)
        return JsonResponse({"error": "wrong secret"}, status=403)
    if len(request.body) > MAX_BODY:
        return JsonResponse({"error": "too large"}, status=413)
    try:
        items = receipt_items(provider, json.loads(request.body))
    except (ValueError, RecursionError) as bad:
        return JsonResponse({"error": str(bad)[:200]}, status=400)
    receipts_accept(provider, items)
    return JsonResponse(ANSWERS[provider])
