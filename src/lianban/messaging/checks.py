"""System check: SMS templates the routes use without the provider's template code (``lianban check --database
default``). Chinese SMS providers send only templates registered with them (Aliyun TemplateCode, Tencent
TemplateId): a routed template without its code fails every message it would send (docs/messages.md)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register
from django.db import DatabaseError


@register(Tags.database)
def sms_template_codes_check(app_configs: Any = None, databases: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """With a real SMS provider, warn about every routed SMS template without a provider template code."""
    provider = settings.LIANBAN_SMS_PROVIDER
    if not databases or provider == "log":
        return []
    from lianban.messaging.selectors import sms_templates_without_code

    found: list[CheckMessage] = []
    if not settings.LIANBAN_SMS_CODE_TEMPLATE:
        found.append(
            Warning(
                f"LIANBAN_SMS_PROVIDER is {provider} but LIANBAN_SMS_CODE_TEMPLATE is empty: "
                "one-time codes (sign-up, password reset) are not sent",
                hint="register the code template with the provider (one variable, `code`) and set its code",
                id="lianban.W122",
            )
        )
    try:
        missing = sms_templates_without_code()
    except DatabaseError:  # not migrated yet
        return found
    if missing:
        names = "; ".join(f"#{t.pk} {t.kind}/{t.audience}" for t in missing)
        found.append(
            Warning(
                f"{len(missing)} SMS template(s) used by LIANBAN_MESSAGE_ROUTES or LIANBAN_STAFF_MESSAGE_ROUTES have "
                f"no provider template code, so {provider} cannot send their messages (they fail as technical): "
                f"{names}",
                hint="register each text with the SMS provider, then enter its template code in the admin "
                "(Messages › Message templates › SMS provider template); see docs/messages.md",
                id="lianban.W121",
            )
        )
    return found


@register(Tags.security, deploy=True)
def sms_provider_deploy_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """In production (``lianban check --deploy``): the ``log`` provider sends no SMS and writes the texts, the
    one-time codes included, to the log."""
    if settings.LIANBAN_SMS_PROVIDER != "log":
        return []
    return [
        Warning(
            "LIANBAN_SMS_PROVIDER is log: no SMS leaves the platform, and the texts (one-time codes included) are "
            "written to the log",
            hint="set LIANBAN_SMS_PROVIDER to aliyun or tencent with its keys (docs/messages.md)",
            id="lianban.W123",
        )
    ]
