"""Need-to-know, enforced in one place: every route's role-and-object rule, checked before its view runs.

``ROUTES`` names, for every URL pattern (by its view name), who may use it:
the roles, and the object of the path it concerns (a case, an item case, a
draft, an applicant, a licence). The same check runs for pages and forms
(``AccessMiddleware``, before the view reads a form or a file) and for the
API (``RoutePermission``, DRF's default permission, before the body is
parsed). The order is always: signed in, then the object (absent or not
visible: 404, so a caller cannot tell the two apart), then the role (403).
A route without a rule is refused: new views are closed until they get one.

The object rules are the access modules' (``lianban.*.access``); reviewers
see a case only while an item of their department is running or decided.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from rest_framework import exceptions as drf_exceptions
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from lianban.accounts.access import can_see_applicant
from lianban.accounts.models import Applicant, Role, User
from lianban.cases.access import can_see_case
from lianban.cases.models import Case, ItemCase
from lianban.evaluation.access import can_see_appeal, can_see_ticket
from lianban.evaluation.models import Appeal, Rating, RectificationTicket
from lianban.licences.access import access_licence_for_user
from lianban.portal.access import can_open_draft
from lianban.portal.models import Draft
from lianban.review.access import can_see_item_case
from lianban.statistics.models import Export
from lianban.supervision.access import can_see_order
from lianban.supervision.models import SupervisionOrder

if TYPE_CHECKING:
    from rest_framework.views import APIView

A, C, R, S = Role.APPLICANT, Role.CLERK, Role.REVIEWER, Role.SUPERVISOR
#: Every role: routes any signed-in user may open (their lists are filtered by the selectors).
EVERYONE = tuple(Role.values)


def _case(user: User, kwargs: Mapping[str, Any]) -> bool:
    case = Case.objects.select_related("applicant").filter(pk=kwargs["case_id"]).first()
    return case is not None and can_see_case(user, case)


def _item(user: User, kwargs: Mapping[str, Any]) -> bool:
    pk = kwargs.get("item_id", kwargs.get("item_case_id"))
    item = ItemCase.objects.select_related("case", "case__applicant").filter(pk=pk).first()
    return item is not None and can_see_item_case(user, item)


def _draft(user: User, kwargs: Mapping[str, Any]) -> bool:
    draft = Draft.objects.filter(pk=kwargs["draft_id"]).first()
    return draft is not None and can_open_draft(user, draft)


def _applicant(user: User, kwargs: Mapping[str, Any]) -> bool:
    applicant = Applicant.objects.filter(pk=kwargs["applicant_id"]).first()
    return applicant is not None and can_see_applicant(user, applicant)


def _licence(user: User, kwargs: Mapping[str, Any]) -> bool:
    try:
        access_licence_for_user(user, kwargs["licence_id"])
    except Http404:
        return False
    return True


def _order(user: User, kwargs: Mapping[str, Any]) -> bool:
    order = SupervisionOrder.objects.filter(pk=kwargs["order_id"]).first()
    return order is not None and can_see_order(user, order)


def _ticket(user: User, kwargs: Mapping[str, Any]) -> bool:
    ticket = RectificationTicket.objects.select_related("rating").filter(pk=kwargs["ticket_id"]).first()
    return ticket is not None and can_see_ticket(user, ticket)


def _appeal(user: User, kwargs: Mapping[str, Any]) -> bool:
    appeal = Appeal.objects.filter(pk=kwargs["appeal_id"]).first()
    return appeal is not None and can_see_appeal(user, appeal)


def _rating(user: User, kwargs: Mapping[str, Any]) -> bool:
    rating = Rating.objects.select_related("case", "case__applicant").filter(pk=kwargs["rating_id"]).first()
    return rating is not None and rating.case is not None and can_see_case(user, rating.case)


#: How each kind of object of a path is found and whether a user may see it.
def _export(user: User, kwargs: Mapping[str, Any]) -> bool:
    return Export.objects.filter(pk=kwargs["export_id"], requested_by=user).exists()


TARGETS: dict[str, Callable[[User, Mapping[str, Any]], bool]] = {
    "case": _case,
    "item": _item,
    "draft": _draft,
    "applicant": _applicant,
    "licence": _licence,
    "order": _order,
    "ticket": _ticket,
    "rating": _rating,
    "appeal": _appeal,
    "export": _export,
}


@dataclass(frozen=True, slots=True)
class Rule:
    """Who may use a route: ``roles`` (None: anyone, signed in or not), and the path's object, if any."""

    roles: tuple[str, ...] | None
    target: str = ""

    @property
    def public(self) -> bool:
        """Open to anonymous callers."""
        return self.roles is None


@dataclass(frozen=True, slots=True)
class Route:
    """A route's rule, with other rules for some methods (a method not named uses ``rule``).

    ``why`` is the refusal's message for a role that may not do this (a msgid, translated when refused).
    """

    rule: Rule
    methods: dict[str, Rule] = field(default_factory=dict)
    why: str = ""

    def for_method(self, method: str) -> Rule:
        """The rule of an HTTP method (HEAD and OPTIONS as GET)."""
        method = "GET" if method in ("HEAD", "OPTIONS") else method
        return self.methods.get(method, self.rule)


PUBLIC = Route(Rule(None))
#: The admin site: its own login and permissions (given by role, see ``lianban.accounts.backends``).
ADMIN_SITE = PUBLIC


def only(*roles: str, target: str = "", why: str = "", **methods: Rule) -> Route:
    """A route for ``roles`` (about the path's ``target`` object), other rules for some methods."""
    return Route(Rule(tuple(roles), target), dict(methods), why)


def rule(*roles: str, target: str = "") -> Rule:
    """One method's rule."""
    return Rule(tuple(roles), target)


ROUTES: dict[str, Route] = {
    # sign-in, language, admin site
    "login": PUBLIC,
    "logout": PUBLIC,
    "password_change": PUBLIC,  # the view itself requires a signed-in user
    "password_change_done": PUBLIC,
    "password_reset": PUBLIC,
    "password_reset_done": PUBLIC,
    "password_reset_confirm": PUBLIC,
    "password_reset_complete": PUBLIC,
    "set_language": PUBLIC,
    # SMS providers' receipts: the per-provider secret in the path is the proof (the view checks it)
    "message_receipts": PUBLIC,
    # single sign-on (404 unless configured); citizens' sign-up and password reset by mobile code
    "sso_start": PUBLIC,
    "sso_callback": PUBLIC,
    "portal:signup": PUBLIC,
    "portal:signup_verify": PUBLIC,
    "portal:password_forgot": PUBLIC,
    "portal:password_forgot_verify": PUBLIC,
    "portal:code_status": PUBLIC,  # keyed by the unguessable token of a code request; tells nothing of the number
    # portal: public pages
    "portal:home": PUBLIC,
    "portal:search": PUBLIC,
    "portal:guide": PUBLIC,
    "portal:track": PUBLIC,
    "portal:track_code": PUBLIC,
    # portal: the applicant's own drafts, cases and licences
    "portal:apply": only(A),
    "portal:draft": only(A, target="draft"),
    "portal:draft_delete": only(A, target="draft"),
    "portal:draft_upload": only(A, target="draft"),
    "portal:draft_file": only(A, target="draft"),
    "portal:my_cases": only(A),
    "portal:my_licences": only(A),
    "portal:message_settings": only(A),
    "portal:case": only(A, target="case"),
    "portal:case_submitted": only(A, target="case"),
    "portal:case_resubmit": only(A, target="case"),
    "portal:case_withdraw": only(A, target="case"),
    "portal:case_upload": only(A, target="case"),
    "portal:case_file": only(A, target="case"),
    "portal:item_supply": only(A, target="case"),
    "portal:supplement_file": only(A, target="case"),
    # workbench: the window
    "workbench:home": only(*EVERYONE),
    "workbench:window_queue": only(C),
    "workbench:issuance_queue": only(C),
    "workbench:case": only(C, S, target="case"),
    "workbench:case_checks": only(C, target="case"),
    "workbench:case_accept": only(C, target="case"),
    "workbench:case_correction": only(C, target="case"),
    "workbench:case_refuse": only(C, target="case"),
    "workbench:case_identity_confirm": only(C, target="case"),
    "workbench:case_identity_refuse": only(C, target="case"),
    "workbench:case_pay": only(C, target="case"),
    "workbench:case_issue": only(C, target="case"),
    "workbench:case_receipt": only(C, S, target="case"),
    "workbench:case_notice": only(C, S, target="case"),
    "workbench:material_file": only(C, R, S, target="case"),
    # workbench: the departments
    "workbench:department_queue": only(R),
    "workbench:item": only(R, S, target="item"),
    # 好差评 pages: a token's rating page (the token is the proof), the applicant's, the window's, the tickets
    "evaluation:rate": PUBLIC,
    "evaluation:window_rate": PUBLIC,  # a window's QR code: signed for the window, rate-limited, anonymous
    "evaluation:windows": only(C, S),
    # 好差评 statistics: the supervisor's (with the drill-down to the ratings and the xlsx), the public's
    "evaluation:statistics": only(S),
    "evaluation:statistics_export": only(S),
    "evaluation:statistics_ratings": only(S),
    "evaluation:public_statistics": PUBLIC,  # per department, nothing personal
    "evaluation:case_rate": only(A, target="case"),
    "evaluation:visit_start": only(C, target="case"),
    "evaluation:tickets": only(C, R, S),
    "evaluation:ticket": only(C, R, S, target="ticket"),
    # 申诉: the rated unit files from its ticket; a supervisor (never the unit) decides
    "evaluation:ticket_appeal": only(C, R, target="ticket", why=gettext_noop("Only the rated unit appeals a rating.")),
    "evaluation:appeals": only(C, R, S),
    "evaluation:appeal": only(C, R, S, target="appeal", POST=rule(S, target="appeal")),
    "evaluation:appeal_evidence": only(C, R, S, target="appeal"),
    "workbench:item_take": only(R, target="item"),
    "workbench:item_supplement": only(R, target="item"),
    "workbench:item_approve": only(R, target="item"),
    "workbench:item_reject": only(R, target="item"),
    "workbench:item_document": only(R, S, target="item"),
    "workbench:supplement_file": only(R, S, target="item"),
    # workbench: supervision, the catalog files
    "workbench:supervision": only(S),
    # the dashboards: the supervisor's over every department, a department's staff over theirs (the view pins it)
    "workbench:statistics": only(C, R, S),
    "workbench:statistics_cases": only(C, R, S),
    "workbench:statistics_export_new": only(C, R, S),
    # the monthly bulletin (月度通报) is the supervision office's, over every department
    "workbench:statistics_bulletin_pdf": only(S),
    "workbench:statistics_bulletin_export": only(S),
    "workbench:statistics_export": only(C, R, S, target="export"),
    "workbench:statistics_export_file": only(C, R, S, target="export"),
    "workbench:orders": only(R, S),
    "workbench:order_new": only(S),
    "workbench:order": only(R, S, target="order"),
    "workbench:order_sign": only(R, target="order"),
    "workbench:order_reply": only(R, target="order"),
    "workbench:order_review": only(S, target="order"),
    "workbench:message_settings": only(C, R, S),
    "workbench:catalog_files": only(Role.ADMIN),
    "workbench:catalog_export": only(Role.ADMIN),
    # API: open to everyone
    "schema": PUBLIC,
    "api-docs": PUBLIC,
    "things-list": PUBLIC,
    "things-detail": PUBLIC,
    "things-plan": PUBLIC,
    "track": PUBLIC,
    # API: lists, filtered to what the user may see
    "cases-list": only(*EVERYONE, POST=rule(A, C)),
    "notifications-list": only(*EVERYONE),
    "licences-list": only(*EVERYONE),
    "applicants-list": only(*EVERYONE, POST=rule(A, C)),
    # API: one object
    "applicants-detail": only(A, C, S, target="applicant"),
    "licences-detail": only(A, C, R, S, target="licence"),
    "cases-detail": only(A, C, R, S, target="case"),
    "cases-material": only(A, C, R, S, target="case", POST=rule(A, C, target="case")),
    "cases-resubmit": only(A, C, target="case"),
    "cases-withdraw": only(A, target="case", why=gettext_noop("only the applicant withdraws an application")),
    "cases-events": only(C, R, S, target="case"),
    "cases-progress": only(A, C, R, S, target="case"),
    "intake-queue": only(C),
    "intake-checks": only(C, target="case"),
    "intake-accept": only(C, target="case"),
    "intake-request-correction": only(C, target="case"),
    "intake-refuse": only(C, target="case"),
    "intake-identity-confirm": only(C, target="case"),
    "intake-identity-refuse": only(C, target="case"),
    "intake-correction-notice": only(A, C, S, target="case"),
    "intake-receipt": only(A, C, S, target="case"),
    "item-cases-list": only(R),
    "item-cases-detail": only(A, C, R, S, target="item"),
    "item-cases-accept": only(R, target="item"),
    "item-cases-request-supplement": only(R, target="item"),
    "item-cases-approve": only(R, target="item"),
    "item-cases-reject": only(R, target="item"),
    "item-cases-supply": only(A, target="item"),
    "bills-detail": only(A, C, S, target="case"),
    "bills-pay": only(C, target="case"),
    "cases-issue": only(C, target="case"),
    "supervision-due-soon": only(S),
    "supervision-overdue": only(S),
    "supervision-signals": only(C, R, S),
    "supervision-orders": only(R, S, POST=rule(S)),
    "supervision-order": only(R, S, target="order"),
    "supervision-order-sign": only(R, target="order"),
    "supervision-order-reply": only(R, target="order"),
    "supervision-order-review": only(S, target="order"),
    # statistics: the supervisor's all, a department's staff their department's (the selectors pin it)
    "statistics": only(C, R, S),
    "statistics-five-reductions": only(C, R, S),
    "statistics-overdue-heat": only(C, R, S),
    "statistics-cases": only(C, R, S),
    "statistics-exports": only(C, R, S),
    "statistics-export": only(C, R, S, target="export"),
    "statistics-export-file": only(C, R, S, target="export"),
    # API: events to department systems (subscriptions: catalog administrators; failures: supervisors too)
    "webhook-subscriptions-list": only(Role.ADMIN),
    "webhook-subscriptions-detail": only(Role.ADMIN),
    "webhook-subscriptions-attempts": only(Role.ADMIN, S),
    "webhook-deliveries-list": only(Role.ADMIN, S),
    "webhook-deliveries-replay": only(Role.ADMIN, S),
    # 好差评: ratings and the rectification of 差评
    "evaluation-case-ratings": only(A, target="case"),
    "evaluation-enter": only(C, target="case"),
    "evaluation-visit-token": only(C, target="case"),
    "evaluation-token": PUBLIC,  # a one-time token is the caller's proof
    "evaluation-follow-up": only(A, target="rating"),
    "evaluation-tickets": only(A, C, R, S),
    "evaluation-ticket": only(A, C, R, S, target="ticket"),
    "evaluation-ticket-precheck": only(C, R, target="ticket"),
    "evaluation-ticket-visit": only(C, R, target="ticket"),
    "evaluation-ticket-rectify": only(C, R, target="ticket"),
    "evaluation-ticket-feedback": only(C, R, target="ticket"),
    "evaluation-ticket-rerate": only(A, target="ticket"),
    "evaluation-ticket-appeal": only(C, R, target="ticket", why=gettext_noop("Only the rated unit appeals a rating.")),
    "evaluation-appeals": only(C, R, S),
    "evaluation-statistics": only(S),
    "evaluation-appeal": only(C, R, S, target="appeal"),
    "evaluation-appeal-decide": only(
        S, target="appeal", why=gettext_noop("Only a supervisor decides an appeal, never the rated unit.")
    ),
}


class Refused(Exception):
    """The check said no: ``status`` 401 (sign in), 403 (role) or 404 (object absent or not visible)."""

    def __init__(self, status: int, why: str = "") -> None:
        super().__init__(status)
        self.status = status
        self.why = why


def route_for(view_name: str) -> Route | None:
    """The route of a view name (``namespace:name``); admin pages all share the admin site's."""
    if view_name.startswith("admin:"):
        return ADMIN_SITE
    return ROUTES.get(view_name)


def check(user: Any, view_name: str, method: str, kwargs: Mapping[str, Any]) -> None:
    """Run the route's rule for ``user``; return when allowed.

    Raises:
        Refused: 401 anonymous on a route for signed-in users, 404 object absent or not visible,
            403 a route without a rule, or a role that may not do this.
    """
    route = route_for(view_name)
    if route is None:
        raise Refused(403)
    rule_ = route.for_method(method)
    if rule_.public:
        return
    if not isinstance(user, User) or not user.is_authenticated:
        raise Refused(401)
    if not user.is_active:
        raise Refused(403)
    if rule_.target and not TARGETS[rule_.target](user, kwargs):
        raise Refused(404)
    if user.role not in (rule_.roles or ()):
        raise Refused(403, route.why)


def _is_api_view(view_func: Callable[..., Any]) -> bool:
    from rest_framework.views import APIView  # DRF's views import this module's permission

    view_class = getattr(view_func, "cls", None)
    return isinstance(view_class, type) and issubclass(view_class, APIView)


class AccessMiddleware:
    """Runs the route's rule before every page and form view (API views: ``RoutePermission``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: dict[str, Any]
    ) -> HttpResponseBase | None:
        match = request.resolver_match
        if match is None or _is_api_view(view_func):
            return None
        try:
            check(request.user, match.view_name, request.method or "GET", view_kwargs)
        except Refused as refused:
            if refused.status == 401:
                return redirect_to_login(request.get_full_path())
            if refused.status == 404:
                raise Http404 from None
            if match.namespace == "portal":
                return render(request, "portal/applicant_only.html", status=403)
            raise PermissionDenied(_(refused.why) if refused.why else _("This page is for other roles.")) from None
        return None


class RoutePermission(BasePermission):
    """DRF's default permission: the route's rule, before the view parses the body."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        match = request.resolver_match
        if match is None:
            return False
        try:
            check(request.user, match.view_name, request.method or "GET", view.kwargs)
        except Refused as refused:
            if refused.status == 401:
                return False  # DRF answers "not authenticated"
            if refused.status == 404:
                raise drf_exceptions.NotFound from None
            why = _(refused.why) if refused.why else _("this is not available to your role")
            raise drf_exceptions.PermissionDenied(why) from None
        return True
