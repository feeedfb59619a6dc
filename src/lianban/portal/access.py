"""Which drafts a user may open. Anything not allowed raises ``Http404``; one condition per line."""

from __future__ import annotations

from django.http import Http404

from lianban.accounts.models import ApplicantMember, Role, User
from lianban.portal.models import Draft


def can_open_draft(user: User, draft: Draft) -> bool:
    """A draft is its author's, while they still act for its applicant."""
    if not user.is_active:
        return False
    if user.role != Role.APPLICANT:
        return False
    if draft.user_id != user.pk:
        return False
    return ApplicantMember.objects.filter(applicant_id=draft.applicant_id, user=user).exists()


def access_draft_for_user(user: User, draft_id: int) -> Draft:
    """The draft, if ``user`` may open it (submitted drafts included: they lead to their case).

    Raises:
        Http404: no such draft, or not the user's.
    """
    draft = Draft.objects.select_related("applicant", "thing", "thing__lead_department").filter(pk=draft_id).first()
    if draft is None or not can_open_draft(user, draft):
        raise Http404
    return draft
