"""好差评 pages: the rating page of a one-time token (message link, receipt QR code, the window's tablet), the
applicant's rating of a finished case, the window starting a visit rating, the rectification tickets, the rated
unit's appeals (申诉) and the supervisor's decision.

The evaluator's identity (who rated, and the case) is shown to supervisors only, never to the rated unit.

No form pre-selects a level, and no page shows staff a level before it was given: the tablet's page answers
"thank you" and nothing else.
"""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lianban.accounts.models import Role
from lianban.cases import clock
from lianban.cases.access import access_case_for_user
from lianban.catalog.models import Department
from lianban.common.pages import ListPage, list_page
from lianban.common.throttling import WindowRatingThrottle, allows
from lianban.core import evaluation as rules
from lianban.core.case_errors import ChoiceInvalid
from lianban.core.errors import DomainError
from lianban.evaluation import services
from lianban.evaluation.access import evaluator_shown, is_unit_member
from lianban.evaluation.models import (
    AppealGrounds,
    AppealState,
    Rating,
    RatingChannel,
    RatingLevel,
    RectificationTicket,
    Rerating,
    TicketState,
    Verdict,
)
from lianban.evaluation.selectors import (
    FIGURES,
    WINDOW_COUNTS,
    Period,
    StatRow,
    anonymous_window_counts,
    appeal_for_user,
    appeal_list_for_user,
    appeal_of_ticket,
    evaluator_name,
    rating_state_for_applicant,
    rating_statistics,
    ratings_of_figure,
    rectifications_published,
    ticket_for_user,
    ticket_list_for_user,
    ticket_root_cause,
    ticket_signal_levels,
    tickets_by_rating,
)
from lianban.workbench.views.common import see_other, staff_user
from lianban.workbench.views.files import stored_file

#: The newest tickets first, for the keyset pages.
TICKET_ORDER = ("-opened_at", "-id")
#: The levels as the forms offer them, 5 first; none is ever checked in advance.
LEVEL_CHOICES = [(value, label) for value, label in RatingLevel.choices]


def _given(post: QueryDict) -> services.Given:
    try:
        level = int(post.get("level", ""))
    except ValueError:
        raise ChoiceInvalid(_("choose a level")) from None
    return services.Given(
        level=level, indicators=post.getlist("indicators")[:20], comment=(post.get("comment") or "")[:2000]
    )


def _item_case_id(post: QueryDict) -> int | None:
    raw = post.get("item_case") or ""
    return int(raw) if raw.isdigit() and len(raw) < 19 else None


def _indicators(mode: rules.Mode) -> list[rules.Indicator]:
    return list(rules.INDICATOR_SETS[rules.CURRENT_INDICATORS].for_mode(mode))


def _error(request: HttpRequest, error: DomainError) -> None:
    messages.error(request, str(error.message))


# ------------------------------------------------------------------ the token's page (link, QR code, tablet)


@require_http_methods(["GET", "POST"])
def rate_by_token(request: HttpRequest, token: str) -> HttpResponse:
    """Rate the services of a token: one form per service; the page ends with thanks and shows no level."""
    try:
        row, offered = services.token_services(token)
    except services.TokenInvalid:
        return render(request, "evaluation/rate_invalid.html", status=404)
    if request.method == "POST":
        try:
            services.rating_give_by_token(
                token=token, item_case_id=_item_case_id(request.POST), given=_given(request.POST)
            )
        except services.TokenInvalid:
            return render(request, "evaluation/rate_invalid.html", status=404)
        except DomainError as exc:
            _error(request, exc)
            return see_other(reverse("evaluation:rate", args=[token]))
        if len(offered) <= 1:
            return render(request, "evaluation/rate_thanks.html")
        messages.success(request, _("Thank you: your rating was recorded."))
        return see_other(reverse("evaluation:rate", args=[token]))
    mode = rules.mode_of_channel(rules.Channel(row.channel), rules.Kind(row.kind))
    context: dict[str, Any] = {
        "code": row.case.code_for_people,
        "visit": row.kind == rules.Kind.VISIT,
        "services": offered,
        "levels": LEVEL_CHOICES,
        "indicators": _indicators(mode),
        "action": reverse("evaluation:rate", args=[token]),
    }
    return render(request, "evaluation/rate.html", context)


# ------------------------------------------------------------------ the applicant: rate a finished case


@require_http_methods(["GET", "POST"])
def case_rate(request: HttpRequest, case_id: int) -> HttpResponse:
    """The applicant rates the services of their finished case, adds a 追评, re-rates (复评) a rectification."""
    user = staff_user(request)
    case = access_case_for_user(user, case_id)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "follow_up":
                rating_id = request.POST.get("rating") or ""
                services.follow_up_add(
                    actor=user,
                    rating_id=int(rating_id) if rating_id.isdigit() and len(rating_id) < 19 else 0,
                    comment=request.POST.get("comment") or "",
                )
                messages.success(request, _("Your follow-up comment was added."))
            elif action == "rerate":
                ticket_id = request.POST.get("ticket") or ""
                rerating = request.POST.get("rerating") or ""
                if rerating not in Rerating.values:
                    raise ChoiceInvalid(_("choose whether you are satisfied now"))
                services.ticket_rerate(
                    actor=user,
                    ticket_id=int(ticket_id) if ticket_id.isdigit() and len(ticket_id) < 19 else 0,
                    rerating=rerating,
                )
                messages.success(request, _("Thank you: your re-rating was recorded."))
            else:
                services.rating_give(
                    actor=user, case_id=case.pk, item_case_id=_item_case_id(request.POST), given=_given(request.POST)
                )
                messages.success(request, _("Thank you: your rating was recorded."))
        except DomainError as exc:
            _error(request, exc)
        return see_other(reverse("evaluation:case_rate", args=[case.pk]))
    pairs = rating_state_for_applicant(user, case)
    tickets = tickets_by_rating(case, [r for _s, r in pairs if r is not None])
    limits = services.limits()
    now = clock.now()
    rows = [
        {
            "service": service,
            "rating": rating,
            "follow_up": getattr(rating, "follow_up", None) if rating is not None else None,
            "follow_up_open": rating is not None
            and not rating.is_default
            and rules.follow_up_open(rating.rated_at, now, limits),
            "ticket": (ticket := tickets.get(rating.pk) if rating is not None else None),
            "can_rerate": ticket is not None and rules.waiting_on(rules.TicketState(ticket.state)) == "evaluator",
        }
        for service, rating in pairs
    ]
    context: dict[str, Any] = {
        "case": case,
        "code": case.code_for_people,
        "rows": rows,
        "levels": LEVEL_CHOICES,
        "indicators": _indicators(rules.Mode.ONLINE),
        "reratings": Rerating.choices,
        "finished": bool(pairs),
    }
    return render(request, "evaluation/case_rate.html", context)


# ------------------------------------------------------------------ the window: start a visit rating


@require_POST
def visit_start(request: HttpRequest, case_id: int) -> HttpResponse:
    """The clerk starts a visit rating: the tablet opens the token's page (the clerk never sees the level)."""
    user = staff_user(request)
    try:
        token = services.visit_token_make(actor=user, case_id=case_id)
    except DomainError as exc:
        _error(request, exc)
        return see_other(reverse("workbench:case", args=[case_id]))
    return see_other(reverse("evaluation:rate", args=[token.token]))


# ------------------------------------------------------------------ rectification tickets (workbench)


def ticket_list(request: HttpRequest) -> HttpResponse:
    """The tickets the user may see (supervisor: all; the unit: its own), newest first, by state."""
    user = staff_user(request)
    state = request.GET.get("state", "")
    state = state if state in TicketState.values else ""
    rows: ListPage[RectificationTicket] = list_page(request, ticket_list_for_user(user, state=state), TICKET_ORDER)
    context = {
        "rows": rows,
        "signals": ticket_signal_levels(list(rows)),
        "state": state,
        "states": TicketState.choices,
    }
    return render(request, "evaluation/tickets.html", context)


STEPS = {
    "precheck": lambda user, pk, post, files: services.ticket_precheck(
        actor=user, ticket_id=pk, verdict=post.get("verdict") or "", note=post.get("note") or ""
    ),
    "visit": lambda user, pk, post, files: services.ticket_visit(
        actor=user, ticket_id=pk, call_record=post.get("call_record") or ""
    ),
    "rectify": lambda user, pk, post, files: services.ticket_rectify(
        actor=user, ticket_id=pk, rectification=post.get("rectification") or "", evidence=files.get("evidence")
    ),
    "feedback": lambda user, pk, post, files: services.ticket_feedback(
        actor=user, ticket_id=pk, feedback=post.get("feedback") or ""
    ),
}


@require_http_methods(["GET", "POST"])
def ticket_detail(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """One ticket with the rating, the case's trail link, the due dates and the step the unit takes next."""
    user = staff_user(request)
    ticket = ticket_for_user(user, ticket_id)
    if request.method == "POST":
        step = STEPS.get(request.POST.get("step", ""))
        if step is None or (step is STEPS["precheck"] and request.POST.get("verdict") not in Verdict.values):
            messages.error(request, _("Choose a step and fill it in."))
        else:
            try:
                step(user, ticket.pk, request.POST, request.FILES)
                messages.success(request, _("The step is recorded."))
            except DomainError as exc:
                _error(request, exc)
        return see_other(reverse("evaluation:ticket", args=[ticket.pk]))
    state = rules.TicketState(ticket.state)
    flow = rules.TicketFlow(ticket.flow)
    allowed = rules.allowed_events(state, flow) if rules.waiting_on(state) == "unit" else ()
    appeal = appeal_of_ticket(ticket)
    shown = evaluator_shown(user)
    context = {
        "anonymous": ticket.case_id is None,
        "steps": [event.value for event in rules.flow_events(flow)],
        "ticket": ticket,
        "rating": ticket.rating,
        "level_label": rules.LEVEL_LABELS[ticket.rating.level],
        "indicator_labels": _labels(ticket.rating),
        "next": allowed[0].value if allowed and is_unit_member(user, ticket) else "",
        "verdicts": Verdict.choices,
        "history": ticket_root_cause(ticket),
        "can_see_case": user.role == Role.SUPERVISOR,
        "evaluator_shown": shown,
        "evaluator": evaluator_name(ticket.rating) if shown else "",
        "waiting_for_rerating": rules.waiting_on(state) == "evaluator",
        "appeal": appeal,
        "signal": ticket_signal_levels([ticket]).get(ticket.pk, ""),
        "can_appeal": appeal is None and is_unit_member(user, ticket) and not ticket.rating.is_default,
        "grounds": AppealGrounds.choices,
    }
    return render(request, "evaluation/ticket.html", context)


def _labels(rating: Rating) -> list[str]:
    """The words of the rating's indicators, from the set and the mode it was given under."""
    mode = rules.mode_of_channel(rules.Channel(rating.channel), rules.Kind(rating.kind))
    known = rules.INDICATOR_SETS.get(rating.indicator_version, rules.INDICATOR_SETS[rules.CURRENT_INDICATORS])
    words = {i.code: i.label for i in known.for_mode(mode)}
    return [words.get(code, code) for code in rating.indicators]


# ------------------------------------------------------------------ appeals: the unit files, a supervisor decides

#: The newest appeals first, for the keyset pages.
APPEAL_ORDER = ("-filed_at", "-id")


@require_POST
def ticket_appeal(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """The rated unit appeals the ticket's 差评 as wrong or malicious, with an evidence file."""
    user = staff_user(request)
    try:
        appeal = services.appeal_file(
            actor=user,
            ticket_id=ticket_id,
            grounds=request.POST.get("grounds") or "",
            statement=request.POST.get("statement") or "",
            evidence=request.FILES.get("evidence"),
        )
    except DomainError as exc:
        _error(request, exc)
        return see_other(reverse("evaluation:ticket", args=[ticket_id]))
    messages.success(request, _("The appeal is filed; a supervisor decides it."))
    return see_other(reverse("evaluation:appeal", args=[appeal.pk]))


def appeal_list(request: HttpRequest) -> HttpResponse:
    """The appeals the user may see (supervisor: all, to decide; the unit: its own), newest first."""
    user = staff_user(request)
    state = request.GET.get("state", "")
    state = state if state in AppealState.values else ""
    context = {
        "rows": list_page(request, appeal_list_for_user(user, state=state), APPEAL_ORDER),
        "state": state,
        "states": AppealState.choices,
    }
    return render(request, "evaluation/appeals.html", context)


@require_http_methods(["GET", "POST"])
def appeal_detail(request: HttpRequest, appeal_id: int) -> HttpResponse:
    """One appeal: the rating (the evaluator masked from the unit), the unit's grounds and evidence; the
    supervisor's decision form (POST is the supervisor's only, checked by the route and the service)."""
    user = staff_user(request)
    appeal = appeal_for_user(user, appeal_id)
    if request.method == "POST":
        try:
            services.appeal_decide(
                actor=user,
                appeal_id=appeal.pk,
                outcome=request.POST.get("outcome") or "",
                reason=request.POST.get("reason") or "",
            )
            messages.success(request, _("The decision is recorded."))
        except DomainError as exc:
            _error(request, exc)
        return see_other(reverse("evaluation:appeal", args=[appeal.pk]))
    shown = evaluator_shown(user)
    context = {
        "appeal": appeal,
        "rating": appeal.rating,
        "level_label": rules.LEVEL_LABELS[appeal.rating.level],
        "indicator_labels": _labels(appeal.rating),
        "evaluator_shown": shown,
        "evaluator": evaluator_name(appeal.rating) if shown else "",
        "can_decide": user.role == Role.SUPERVISOR and appeal.state == AppealState.PENDING,
        "outcomes": [(AppealState.UPHELD.value, _("Uphold")), (AppealState.REJECTED.value, _("Reject"))],
    }
    return render(request, "evaluation/appeal.html", context)


@require_GET
def appeal_evidence(request: HttpRequest, appeal_id: int) -> FileResponse:
    """The appeal's evidence file (the supervisor and the appealing unit)."""
    appeal = appeal_for_user(staff_user(request), appeal_id)
    return stored_file(appeal.evidence.name or "")


# ------------------------------------------------------------------ the windows' QR codes: anonymous ratings

#: The departments by code, for the keyset pages of the windows.
WINDOW_ORDER = ("code",)


@require_http_methods(["GET", "POST"])
def window_rate(request: HttpRequest, token: str) -> HttpResponse:
    """The anonymous rating page of a window's QR code (评价器): no sign-in, no level pre-selected, thanks only.

    Rate-limited per address and window (``WindowRatingThrottle``); a code the platform did not sign is 404.
    """
    try:
        window = services.window_of_link(token)
    except services.TokenInvalid:
        return render(request, "evaluation/rate_invalid.html", status=404)
    if request.method == "POST":
        throttle = WindowRatingThrottle()
        request.window_key = window.code  # type: ignore[attr-defined]
        if not allows(throttle, request):
            wait = int(throttle.wait() or 1)
            message = _("Too many ratings from here. Try again in %(seconds)d seconds.") % {"seconds": wait}
            response = render(request, "400.html", {"message": message}, status=429)
            response["Retry-After"] = str(wait)
            return response
        try:
            services.window_rating_give(token=token, given=_given(request.POST))
        except DomainError as exc:
            _error(request, exc)
            return see_other(reverse("evaluation:window_rate", args=[token]))
        return render(request, "evaluation/rate_thanks.html")
    context: dict[str, Any] = {
        "window": window,
        "levels": LEVEL_CHOICES,
        "indicators": _indicators(rules.Mode.WINDOW),
        "action": reverse("evaluation:window_rate", args=[token]),
        "service": {"key": "window"},
    }
    return render(request, "evaluation/window_rate.html", context)


def _window_url(request: HttpRequest, window: Department) -> str:
    path = reverse("evaluation:window_rate", args=[services.window_link(window)])
    return (settings.LIANBAN_PUBLIC_URL or request.build_absolute_uri("/").rstrip("/")) + path


def window_list(request: HttpRequest) -> HttpResponse:
    """The windows' QR codes to print (a clerk: their window's; a supervisor: every window's), with the
    anonymous ratings of each window counted apart."""
    user = staff_user(request)
    rows = Department.objects.all()
    if user.role != Role.SUPERVISOR:
        rows = rows.filter(pk=user.department_id or 0)
    page: ListPage[Department] = list_page(request, rows, WINDOW_ORDER)
    windows = list(page)
    counts = anonymous_window_counts([w.pk for w in windows])
    context = {
        "rows": page,
        "windows": [
            {"window": w, "url": _window_url(request, w), "counts": counts.get(w.pk, dict.fromkeys(WINDOW_COUNTS, 0))}
            for w in windows
        ],
    }
    return render(request, "evaluation/windows.html", context)


# ------------------------------------------------------------------ statistics: the supervisor's, the public's

#: The columns of the statistics: (the figure's key, its heading); the counts link to their ratings.
COUNT_COLUMNS = (
    ("ratings", gettext_lazy("Ratings")),
    ("active", gettext_lazy("Active ratings")),
    ("good", gettext_lazy("Good ratings")),
    ("bad", gettext_lazy("Bad ratings")),
    ("defaults", gettext_lazy("Default ratings")),
    ("visited", gettext_lazy("Called back")),
    ("rectified", gettext_lazy("Rectified")),
    ("rerated", gettext_lazy("Re-rated")),
    ("rerated_satisfied", gettext_lazy("Re-rated satisfied")),
)
RATE_COLUMNS = (
    ("good_rate", gettext_lazy("Good rate (好评率)")),
    ("rectify_rate", gettext_lazy("Rectification rate (差评整改率)")),
    ("visit_rate", gettext_lazy("Call-back rate (回访率)")),
    ("visit_satisfied_rate", gettext_lazy("Call-back satisfaction (回访满意率)")),
    ("active_rate", gettext_lazy("Active rating rate (主动评价率)")),
    ("unrated_rate", gettext_lazy("Unrated rate (未评率)")),
)
#: The newest ratings first, for the drill-down's keyset pages.
RATING_ORDER = ("-rated_at", "-id")


def _period(request: HttpRequest) -> Period:
    return Period.parse(request.GET.get("period", ""), clock.today())


def _stat_rows(rows: list[StatRow], period: Period) -> list[dict[str, Any]]:
    return [
        {
            "row": row,
            "counts": [(key, getattr(row.counts, key)) for key, _label in COUNT_COLUMNS],
            "rates": [row.rates[key] for key, _label in RATE_COLUMNS],
            "query": row.query(period),
        }
        for row in rows
    ]


def statistics(request: HttpRequest) -> HttpResponse:
    """The supervisor's statistics of a month: per department × window × item × channel, raw counts and rates;
    every count links to its ratings; anonymous window ratings apart."""
    staff_user(request)
    period = _period(request)
    rows = rating_statistics(period)
    context = {
        "period": period,
        "rows": _stat_rows(rows, period),
        "anonymous_rows": _stat_rows(rating_statistics(period, anonymous=True), period),
        "count_columns": COUNT_COLUMNS,
        "rate_columns": RATE_COLUMNS,
        "channels": dict(RatingChannel.choices),
    }
    return render(request, "evaluation/statistics.html", context)


def statistics_export(request: HttpRequest) -> HttpResponse:
    """The same figures as an xlsx workbook (openpyxl): one row per group, the counts and the rates."""
    from openpyxl import Workbook

    staff_user(request)
    period = _period(request)
    book = Workbook()
    sheet = book.worksheets[0]
    sheet.title = str(period)
    headings = [_("Department"), _("Window"), _("Item"), _("Channel")]
    sheet.append([*headings, *(str(label) for _k, label in COUNT_COLUMNS), *(str(label) for _k, label in RATE_COLUMNS)])
    for anonymous, target in ((False, sheet), (True, book.create_sheet(f"{period} {_('anonymous')}"))):
        if anonymous:  # the anonymous window ratings, counted apart: a sheet of their own
            target.append(
                [*headings, *(str(label) for _k, label in COUNT_COLUMNS), *(str(label) for _k, label in RATE_COLUMNS)]
            )
        for row in rating_statistics(period, anonymous=anonymous):
            counts = [getattr(row.counts, key) for key, _label in COUNT_COLUMNS]
            rated = [row.rates[k] for k, _l in RATE_COLUMNS]
            target.append([row.department, row.window, row.item_code, row.channel, *counts, *rated])
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="ratings-{period}.xlsx"'
    return response


def statistics_ratings(request: HttpRequest) -> HttpResponse:
    """The ratings behind one figure (the drill-down), newest first, a page at a time."""
    staff_user(request)
    period = _period(request)
    figure = request.GET.get("figure", "ratings")
    figure = figure if figure in FIGURES else "ratings"
    filters = {key: (request.GET.get(key) or "")[:40] for key in ("department", "window", "item", "channel")}
    anonymous = request.GET.get("anonymous") == "1"
    rows = ratings_of_figure(period, figure=figure, anonymous=anonymous, **filters)
    context = {
        "period": period,
        "figure": figure,
        "anonymous": anonymous,
        "filters": filters,
        "rows": list_page(request, rows, RATING_ORDER),
    }
    return render(request, "evaluation/statistics_ratings.html", context)


def public_statistics(request: HttpRequest) -> HttpResponse:
    """The published figures of a month per department (nothing personal), with the rectifications."""
    period = _period(request)
    rows = rating_statistics(period, by_department_only=True)
    context = {
        "period": period,
        "rows": _stat_rows(rows, period),
        "anonymous_rows": _stat_rows(rating_statistics(period, by_department_only=True, anonymous=True), period),
        "rate_columns": RATE_COLUMNS,
        "rectifications": list_page(
            request, rectifications_published(period), ("-closed_at", "-id"), param="r", anchor="rectifications"
        ),
    }
    return render(request, "evaluation/public_statistics.html", context)
