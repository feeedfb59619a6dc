"""申诉: the rated unit appeals a 差评 with evidence; a supervisor (never the unit) upholds or rejects it.

The rating is append-only and stays as it was: the outcome is the appeal's own row, and the selectors leave a
rating whose appeal was upheld out of the statistics (``selectors.counted_ratings``). An upheld appeal also
closes the rating's rectification ticket if it is still open. Every step is on the case's trail (an anonymous
window rating's: on the trail of events without a case; the appeal row is locked instead of the case).
"""

from __future__ import annotations

from django.core.files import File
from django.utils.translation import gettext as _

from lianban.accounts.models import Role, User
from lianban.cases import clock
from lianban.cases.events import event_record
from lianban.cases.uploads import upload_store
from lianban.cases.workflow import lock_case
from lianban.common.idempotency import command
from lianban.core import evaluation as rules
from lianban.core.case_errors import ChoiceInvalid
from lianban.core.errors import NotAllowed, NotVisible
from lianban.evaluation.access import can_see_appeal, can_see_ticket, is_unit_member
from lianban.evaluation.models import Appeal, AppealGrounds, RectificationTicket, TicketState
from lianban.evaluation.services.base import text_kept


@command(operation="appeal.file", model=Appeal)
def appeal_file(
    *,
    actor: User,
    ticket_id: int,
    grounds: str,
    statement: str,
    evidence: File[bytes] | None,
    idempotency_key: str | None = None,
) -> Appeal:
    """The rated unit appeals the 差评 of ``ticket_id`` as wrong or malicious, with an evidence file.

    Raises:
        NotVisible, NotAllowed (not the rated unit), AppealRefused, ChoiceInvalid, TextRequired, TextTooLong,
        UploadRefused.
    """
    found = RectificationTicket.objects.filter(pk=ticket_id).values("case_id").first()
    if found is None:
        raise NotVisible
    case = lock_case(found["case_id"]) if found["case_id"] is not None else None  # None: an anonymous rating
    ticket = (
        RectificationTicket.objects.select_for_update(of=("self",))
        .select_related("rating", "rating__item_case")
        .get(pk=ticket_id)
    )
    if not is_unit_member(actor, ticket):
        if can_see_ticket(actor, ticket):
            raise NotAllowed(_("only the rated unit appeals a rating"))
        raise NotVisible
    rating = ticket.rating
    rules.appealable(rating.level, is_default=rating.is_default, already=Appeal.objects.filter(rating=rating).exists())
    if grounds not in AppealGrounds.values:
        raise ChoiceInvalid(_("choose why the rating is appealed"))
    text = text_kept(statement, required=_("say why the rating is wrong or malicious"))
    if evidence is None:
        raise ChoiceInvalid(_("add the evidence file"))
    stored = upload_store(file=evidence, folder=f"evaluation/appeals/{ticket.pk}")
    appeal = Appeal.objects.create(
        ticket=ticket,
        rating=rating,
        case=case,
        department_id=ticket.department_id,
        grounds=grounds,
        statement=text,
        evidence=stored.name,
        filed_by=actor,
        filed_at=clock.now(),
    )
    event_record(
        case=case,
        actor=actor,
        action="appeal.filed",
        item_case=rating.item_case,
        after={
            "appeal": appeal.pk,
            "ticket": ticket.pk,
            "rating": rating.pk,
            "grounds": grounds,
            "statement": text,
            "evidence": stored.as_dict(),
        },
    )
    return appeal


@command(operation="appeal.decide", model=Appeal)
def appeal_decide(
    *, actor: User, appeal_id: int, outcome: str, reason: str, idempotency_key: str | None = None
) -> Appeal:
    """A supervisor upholds or rejects an appeal, with the reason; upheld closes the ticket if still open.

    Raises:
        NotVisible, NotAllowed (not a supervisor: the unit never decides its own appeal), AppealDecided,
        ChoiceInvalid, TextRequired, TextTooLong.
    """
    found = Appeal.objects.filter(pk=appeal_id).values("case_id").first()
    if found is None:
        raise NotVisible
    case = lock_case(found["case_id"]) if found["case_id"] is not None else None  # None: an anonymous rating
    appeal = Appeal.objects.select_for_update(of=("self",)).select_related("rating__item_case").get(pk=appeal_id)
    if not can_see_appeal(actor, appeal):
        raise NotVisible
    if actor.role != Role.SUPERVISOR:
        raise NotAllowed(_("only a supervisor decides an appeal"))
    if outcome not in rules.APPEAL_OUTCOMES:
        raise ChoiceInvalid(_("choose whether the appeal is upheld or rejected"))
    text = text_kept(reason, required=_("give the reason of the decision"))
    before = appeal.state
    appeal.state = rules.appeal_decision(rules.AppealState(appeal.state), rules.AppealState(outcome)).value
    appeal.decided_by, appeal.decided_at, appeal.decision_reason = actor, clock.now(), text
    appeal.version += 1
    appeal.save()
    closed = False
    if appeal.state == rules.AppealState.UPHELD:
        ticket = RectificationTicket.objects.select_for_update(of=("self",)).get(pk=appeal.ticket_id)
        if ticket.state != TicketState.CLOSED:
            ticket.state, ticket.closed_at, closed = TicketState.CLOSED, appeal.decided_at, True
            ticket.version += 1
            ticket.save(update_fields=["state", "closed_at", "version"])
    event_record(
        case=case,
        actor=actor,
        action="appeal.upheld" if appeal.state == rules.AppealState.UPHELD else "appeal.rejected",
        item_case=appeal.rating.item_case,
        before={"state": before},
        after={
            "appeal": appeal.pk,
            "state": appeal.state,
            "rating": appeal.rating_id,
            "reason": text,
            "ticket_closed": closed,
        },
    )
    return appeal
