"""Reads of messaging: a case's messages for the staff, a user's channel preferences."""

from __future__ import annotations

from django.db.models import QuerySet

from lianban.accounts.models import User
from lianban.cases.models import Case
from lianban.core.masking import mask
from lianban.messaging.models import Channel, Message, Preference

#: How many of a case's messages the case page lists (newest first).
CASE_PAGE_MESSAGES = 50


def case_messages(case: Case) -> QuerySet[Message]:
    """The messages about ``case``, newest first, with their recipients (one query)."""
    return Message.objects.filter(case=case).select_related("recipient").order_by("-id")


def preference_of(user: User) -> Preference:
    """The user's preference (the defaults, unsaved, when never set)."""
    return Preference.objects.filter(user=user).first() or Preference(user=user)


def masked_address(message: Message) -> str:
    """The message's address for people and logs: masked."""
    return mask(message.address, "phone" if message.channel == Channel.SMS else "email")
