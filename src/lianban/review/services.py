"""Department review of item cases: take, ask for a supplement (补正), approve, reject.

Only reviewers of the item's department act on it (others get 404 from the
accessor, or 403 when they may see it but not decide). Every service locks
the case first, then the item cases, and asks the core what follows: an
approval starts every item whose predecessors are now all approved and lets
the documents it produced flow to them; a rejection cancels the items that
depend on it while independent items go on.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.http import Http404
from django.utils.translation import gettext as _

from lianban.accounts.models import Role, User
from lianban.cases import clock
from lianban.cases.access import user_acts_for_case
from lianban.cases.events import event_record
from lianban.cases.models import Case, CaseMaterial, ItemCase, MaterialState, NotificationKind, Provenance
from lianban.cases.notifications import notification_create
from lianban.cases.uploads import upload_store
from lianban.cases.workflow import (
    after_item_finished,
    case_touch,
    due_unknown_record,
    eta_refresh,
    item_move,
    lock_case_of_item,
    lock_item_case,
    lock_item_cases,
)
from lianban.common.idempotency import command
from lianban.common.prepared import PreparedQuery, save_fields
from lianban.core import case_flow as flow
from lianban.core.case_errors import ItemHeld, NothingChosen, TextRequired, ValidityInvalid
from lianban.core.errors import CalendarNotCovered
from lianban.issuance.services import case_ready
from lianban.licences.services import licence_record_result
from lianban.review.access import can_see_item_case
from lianban.review.models import SupplementRequest


def _locked(
    actor: User, item_case_id: int, *, reviewer: bool = True, every_item: bool = True
) -> tuple[Case, list[ItemCase], ItemCase]:
    """Lock the case, then its item cases (or only the one asked for), and return them.

    The read rule (``access.can_see_item_case``: 404) is applied to the locked
    rows, then the role (403): one read of each row instead of an access check
    followed by the locks.
    """
    try:
        case = lock_case_of_item(item_case_id)
    except Case.DoesNotExist:
        raise Http404 from None
    if every_item:
        items = lock_item_cases(case)
        item = next(i for i in items if i.pk == item_case_id)
    else:
        item = lock_item_case(case, item_case_id)
        items = [item]
    if not can_see_item_case(actor, item):
        raise Http404
    if reviewer and actor.role != Role.REVIEWER:
        raise PermissionDenied(_("only reviewers of the department decide this item"))
    return case, items, item


@command(operation="item.take", model=ItemCase)
def item_case_take(*, actor: User, item_case_id: int, idempotency_key: str | None = None) -> ItemCase:
    """The department accepts the dispatched item into review (部门受理).

    Raises:
        Http404, PermissionDenied, TransitionRefused.
    """
    case, _items, item = _locked(actor, item_case_id, every_item=False)
    item_move(case, item, "take", actor=actor, action="item.taken", fields={"taken_by": actor, "taken_at": clock.now()})
    case_touch(case)
    return item


@command(operation="item.request_supplement", model=SupplementRequest)
def item_case_request_supplement(
    *, actor: User, item_case_id: int, reason: str, idempotency_key: str | None = None
) -> SupplementRequest:
    """Ask the applicant for a supplement (补正): the item's clock stops until it is supplied.

    Raises:
        Http404, PermissionDenied, TransitionRefused, ActionInvalid (no reason).
    """
    if not reason.strip():
        raise TextRequired(_("say what must be supplied"))
    case, items, item = _locked(actor, item_case_id)
    moment = clock.now()
    today = clock.local_date(moment)
    item_move(
        case,
        item,
        "request_supplement",
        actor=actor,
        action="item.supplement_requested",
        reason=reason,
        fields={"paused_since": today},
        after={"paused_since": today.isoformat()},
    )
    request = SupplementRequest.objects.create(
        item_case=item, reason=reason, requested_by=actor, requested_at=moment, paused_since=today
    )
    case_touch(case)
    notification_create(
        case=case,
        kind=NotificationKind.SUPPLEMENT,
        message=_("%(item)s of application %(code)s needs a supplement: %(reason)s")
        % {"item": item.item_name, "code": case.code_for_people, "reason": reason},
    )
    eta_refresh(case, items)
    return request


@command(operation="item.supply", model=ItemCase)
def item_case_supply(
    *,
    actor: User,
    item_case_id: int,
    note: str = "",
    file: File[bytes] | None = None,
    idempotency_key: str | None = None,
) -> ItemCase:
    """The applicant supplies what the department asked for; the clock runs again, the due date moves.

    The due date moves by the working days the clock was stopped.

    Raises:
        Http404, PermissionDenied, TransitionRefused, UploadRefused, ActionInvalid (nothing supplied).
    """
    case, items, item = _locked(actor, item_case_id, reviewer=False)
    if not user_acts_for_case(actor, case):
        raise PermissionDenied(_("only the applicant supplies"))
    if not note.strip() and file is None:
        raise NothingChosen(_("add a note or a file"))
    flow.next_item_state(item.state, "supply")  # refuse before storing anything
    request = (
        SupplementRequest.objects.select_for_update(of=("self",))
        .filter(item_case=item, supplied_at__isnull=True)
        .order_by("requested_at", "id")
        .last()
    )
    moment = clock.now()
    today = clock.local_date(moment)
    paused, new_due, status, missing = _due_after_pause(item, today)
    provisional = new_due is not None and clock.calendar().provisional_between(item.started_on or today, new_due)
    stored = upload_store(file=file, folder=f"cases/{case.tracking_code}/supplements") if file is not None else None
    before_due = item.due_on
    item_move(
        case,
        item,
        "supply",
        actor=actor,
        action="item.supplied",
        reason=note,
        fields={
            "paused_since": None,
            "paused_days": item.paused_days + paused,
            "due_on": new_due,
            "due_status": status.value,
            "due_year_missing": missing,
            "due_provisional": provisional,
        },
        after={
            "due_on": new_due.isoformat() if new_due else None,
            **({"provisional": True} if provisional else {}),
            "paused_days": paused,
            "due_before": before_due.isoformat() if before_due else None,
            **({"file": stored.as_dict()} if stored else {}),
        },
    )
    if request is not None:
        request.supplied_at = moment
        request.supplied_by = actor
        request.note = note
        request.paused_days = paused
        if stored is not None:
            request.file = stored.name
            request.original_name = stored.original_name
            request.sha256 = stored.sha256
            request.size = stored.size
            request.content_type = stored.content_type
        request.save()
    if missing is not None:
        due_unknown_record(case, item, year=missing)
    case_touch(case)
    eta_refresh(case, items)
    return item


def _due_after_pause(item: ItemCase, today: date) -> tuple[int, date | None, flow.DueStatus, int | None]:
    """Working days paused, the new due date and status, and the calendar year missing to count them.

    When a year is not in the calendar the due date is unknown (never
    guessed) and the pause is counted as 0 here; the deadline sweep counts
    every pause again from the supplement requests when it fills the date in.
    """
    calendar = clock.calendar()
    try:
        paused = flow.paused_working_days(calendar, item.paused_since or today, today)
    except CalendarNotCovered as exc:
        return 0, None, flow.DueStatus.UNKNOWN, exc.year
    try:
        due = flow.due_date(calendar, item.started_on or today, item.promised_days, item.paused_days + paused)
        status = flow.deadline_status(calendar, due, today, settings.LIANBAN_DUE_SOON_DAYS)
    except CalendarNotCovered as exc:
        return paused, None, flow.DueStatus.UNKNOWN, exc.year
    return paused, due, status, None


#: The case materials an item's results fill, locked: read by every approval (``common.prepared``).
_FLOWING_MATERIALS = PreparedQuery(
    lambda case_id, item_code: (
        CaseMaterial.objects.select_for_update(of=("self",))
        .filter(case_id=case_id, provenance=Provenance.PRODUCED, produced_by=item_code)
        .order_by()
    ),
    case_id=int,
    item_code=str,
)


@command(operation="item.approve", model=ItemCase)
def item_case_approve(
    *,
    actor: User,
    item_case_id: int,
    licence_number: str = "",
    valid_until: date | None = None,
    document: File[bytes] | None = None,
    idempotency_key: str | None = None,
) -> ItemCase:
    """Approve the item with its result; what it produces lands in the licence library and flows on.

    An item that produces certificates needs the licence number (one number
    for each of its result documents). Items that come after it start by
    themselves when all their predecessors are approved; when nothing is open
    the case becomes ready.

    Raises:
        Http404, PermissionDenied, TransitionRefused, ItemHeld (容缺 material not yet supplied),
        ActionInvalid (missing licence number), UploadRefused.
    """
    case, items, item = _locked(actor, item_case_id)
    if item.held and item.state == flow.ItemState.IN_REVIEW:
        waiting = CaseMaterial.objects.filter(case=case, state=MaterialState.PROMISED).order_by("position")
        names = tuple(m.name for m in waiting if item.item_code in m.needed_by)
        raise ItemHeld(
            _("waiting for promised materials (容缺): %(names)s") % {"names": ", ".join(names)}, waiting=names
        )
    flow.next_item_state(item.state, "approve")  # refuse before storing anything
    licence_number = (licence_number or "").strip()
    if item.produces and not licence_number:
        raise TextRequired(_("the licence number of the result is required"))
    moment = clock.now()
    today = clock.local_date(moment)
    if valid_until is not None and valid_until < today:
        raise ValidityInvalid(_("the validity ends before today"))
    stored = upload_store(file=document, folder=f"cases/{case.tracking_code}/results") if document else None
    item_move(
        case,
        item,
        "approve",
        actor=actor,
        action="item.approved",
        fields={
            "decided_by": actor,
            "finished_at": moment,
            "finished_on": today,
            "licence_number": licence_number,
            "valid_until": valid_until,
            "document": stored.name if stored else "",
            "due_status": "",
        },
        after={
            "licence_number": licence_number,
            "valid_until": valid_until.isoformat() if valid_until else None,
            **({"document": stored.as_dict()} if stored else {}),
        },
    )
    # the case materials these results fill, where the plan lets them flow to later items (one read, locked)
    flowing = {m.code: m for m in _FLOWING_MATERIALS.all(case_id=case.pk, item_code=item.item_code)}
    for code in item.produces:
        licence = licence_record_result(
            material_code=code,
            number=licence_number,
            holder_id=case.applicant_id,
            department_id=item.department_id,
            issued_on=today,
            valid_until=valid_until,
            item_case_id=item.pk,
            document=stored.name if stored else "",
        )
        material = flowing.get(code)
        if material is None:
            continue
        material.licence = licence
        material.state = MaterialState.RECEIVED
        save_fields(material, ["licence", "state"])
        event_record(
            case=case,
            item_case=item,
            actor=None,
            action="material.produced",
            before={"material": code, "material_state": MaterialState.AWAITING_RESULT},
            after={
                "material": code,
                "material_state": MaterialState.RECEIVED,
                "licence": licence.pk,
                "number": licence.number,
            },
        )
    notification_create(
        case=case,
        kind=NotificationKind.ITEM_DECIDED,
        message=_("%(item)s of application %(code)s was approved.")
        % {"item": item.item_name, "code": case.code_for_people},
    )
    if after_item_finished(case, items, actor=actor, finished=item):
        case_ready(case=case, items=items)
    return item


@command(operation="item.reject", model=ItemCase)
def item_case_reject(*, actor: User, item_case_id: int, reason: str, idempotency_key: str | None = None) -> ItemCase:
    """Reject the item with the reason; the items that depend on it are cancelled, the others go on.

    Raises:
        Http404, PermissionDenied, TransitionRefused, ActionInvalid (no reason).
    """
    if not reason.strip():
        raise TextRequired(_("a reason is required"))
    case, items, item = _locked(actor, item_case_id)
    moment = clock.now()
    today = clock.local_date(moment)
    finished = {"finished_at": moment, "finished_on": today, "due_status": "", "held": False, "paused_since": None}
    item_move(
        case,
        item,
        "reject",
        actor=actor,
        action="item.rejected",
        reason=reason,
        fields={"decided_by": actor, "reason": reason, **finished},
    )
    notification_create(
        case=case,
        kind=NotificationKind.ITEM_DECIDED,
        message=_("%(item)s of application %(code)s was rejected: %(reason)s")
        % {"item": item.item_name, "code": case.code_for_people, "reason": reason},
    )
    # the core cancels what depends on the rejected item, dispatches what can start, completes the case
    if after_item_finished(case, items, actor=actor, finished=item):
        case_ready(case=case, items=items)
    return item
