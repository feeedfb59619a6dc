"""Cases API: submit, list, one case as the user may see it, materials, resubmit, withdraw, trail, progress.

Also the applicant's notifications and the public tracking page's data
(``GET /api/track/{code}``: no sign-in, no personal data).
"""

from __future__ import annotations

import functools
import mimetypes
from typing import TYPE_CHECKING, Any, cast

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags
from django.utils.translation import gettext as _

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

if TYPE_CHECKING:
    from rest_framework.views import AsView, GenericView

from lianban.accounts.access import access_applicant_for_submission
from lianban.api.common import STAFF, ListApi, actor, errors, require_role, validated
from lianban.api.fields import ScalarMapField, code_field, id_field
from lianban.api.idempotency import IDEMPOTENCY_KEY, command
from lianban.api.serializers import (
    CaseDetailSerializer,
    CaseEventSerializer,
    CaseMaterialSerializer,
    CaseSummarySerializer,
    NotificationSerializer,
    TrackSerializer,
    case_document,
)
from lianban.cases.access import access_case_for_user
from lianban.cases.models import CaseState
from lianban.cases.selectors import (
    TrackStamp,
    case_event_list_for_user,
    case_list_filter,
    case_list_for_user,
    case_materials_for_user,
    case_progress,
    notification_list_for_user,
    track_json,
    track_progress,
    track_stamp,
)
from lianban.cases.services import case_material_upload, case_resubmit, case_submit, case_withdraw
from lianban.common.http import revalidated_answer
from lianban.common.throttling import TrackThrottle, allows

# ------------------------------------------------------------------ cases


class CaseFilterSerializer(serializers.Serializer[Any]):
    state = serializers.ChoiceField(choices=CaseState.choices, required=False, default="")
    thing = code_field(required=False, default="", help_text="thing code")
    department = code_field(required=False, default="", help_text="a department deciding one of its items")
    overdue = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="true: cases with a running item past its due date (found by the sweep or plainly late)",
    )
    code = serializers.CharField(
        required=False, default="", max_length=20, help_text="tracking code (dashes and case do not matter)"
    )
    applicant = serializers.CharField(
        required=False,
        default="",
        max_length=200,
        help_text="the start of the applicant's name, or their whole identity number",
    )
    submitted_from = serializers.DateField(required=False, default=None, help_text="submitted on or after this day")
    submitted_to = serializers.DateField(required=False, default=None, help_text="submitted on or before this day")


class CaseSubmitSerializer(serializers.Serializer[Any]):
    applicant = id_field(help_text="id of the applicant the case is for")
    thing = code_field(help_text="thing code, e.g. KJD")
    answers = ScalarMapField(help_text="question key → answer")
    form = ScalarMapField(help_text="the merged form: every field of the plan, nothing else")


class CaseListApi(ListApi):
    """Cases: the ones the user may see, newest first; submitting one."""

    ordering = ("-submitted_at", "-id")

    @extend_schema(
        operation_id="cases_list",
        parameters=[CaseFilterSerializer],
        responses={200: CaseSummarySerializer(many=True), **errors(400, 403)},
        tags=["cases"],
    )
    def get(self, request: Request) -> Response:
        filters = validated(CaseFilterSerializer, request.query_params)
        rows = case_list_filter(case_list_for_user(actor(request)), **filters)
        return self.page(request, rows, CaseSummarySerializer)

    @extend_schema(
        operation_id="cases_submit",
        description=(
            "Submit a one-thing application: the plan is computed with the applicant's valid licences and "
            "frozen. An applicant user submits online for an applicant they act for; a window clerk of the "
            "thing's lead department (or a comprehensive window) submits at the window. Files are uploaded "
            "afterwards, one per material (`POST /api/cases/{case_id}/materials/{code}`)."
        ),
        request=CaseSubmitSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: CaseDetailSerializer, **errors(400, 403, 404, 409)},
        tags=["cases"],
    )
    def post(self, request: Request) -> Response:
        user = actor(request)
        data = validated(CaseSubmitSerializer, request.data)
        applicant = access_applicant_for_submission(user, data["applicant"])
        return command(
            request,
            run=lambda key: case_submit(
                actor=user,
                applicant=applicant,
                thing_code=data["thing"],
                answers=data["answers"],
                form=data["form"],
                idempotency_key=key,
            ),
            render=lambda case: case_document(user, case.pk),
            status=201,
        )


class CaseDetailApi(APIView):
    """One case: its items, its materials as the user may see them, how it was issued."""

    @extend_schema(
        operation_id="cases_retrieve",
        responses={200: CaseDetailSerializer, **errors(403, 404)},
        tags=["cases"],
    )
    def get(self, request: Request, case_id: int) -> Response:
        return Response(case_document(actor(request), case_id))


class UploadSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(max_length=255, help_text="PDF, JPEG, PNG or OFD")


class CaseMaterialApi(APIView):
    """One material of a case: download its file, hand in (or replace) it."""

    parser_classes = (MultiPartParser,)

    @extend_schema(
        operation_id="cases_material_download",
        description=(
            "The material's file as the user may see it (a reviewer: only materials their items need); for a "
            "licence, the document it was issued with. 404 when there is no file."
        ),
        responses={
            (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="the file"),
            **errors(403, 404),
        },
        tags=["cases"],
    )
    def get(self, request: Request, case_id: int, code: str) -> FileResponse:
        user = actor(request)
        case = access_case_for_user(user, case_id)
        material = next((m for m in case_materials_for_user(user, case) if m.code == code), None)
        if material is not None and material.file:
            stored, name, content_type = material.file, material.original_name, material.content_type
        elif material is not None and material.licence is not None and material.licence.document:
            stored = material.licence.document  # the document the licence was issued with
            name = (stored.name or "").rsplit("/", 1)[-1]
            content_type = mimetypes.guess_type(name)[0] or ""
        else:
            raise Http404
        return FileResponse(
            stored.open("rb"),
            as_attachment=True,
            filename=name or code,
            content_type=content_type or "application/octet-stream",
        )

    @extend_schema(
        operation_id="cases_material_upload",
        description=(
            "Hand in or replace a material's file before the intake decision (the applicant, or the window); "
            "after acceptance, supply a material promised under 容缺, which releases the items it held. "
            "A refused file answers 400 `upload-refused` with the reason."
        ),
        request={"multipart/form-data": UploadSerializer},
        parameters=[IDEMPOTENCY_KEY],
        responses={200: CaseMaterialSerializer, **errors(400, 403, 404, 409)},
        tags=["cases"],
    )
    def post(self, request: Request, case_id: int, code: str) -> Response:
        user = actor(request)
        data = validated(UploadSerializer, request.data)
        return command(
            request,
            run=lambda key: case_material_upload(
                actor=user, case_id=case_id, material_code=code, file=data["file"], idempotency_key=key
            ),
            render=lambda material: CaseMaterialSerializer(material).data,
        )


class CaseResubmitApi(APIView):
    """The corrections are made: intake starts a new round."""

    @extend_schema(
        operation_id="cases_resubmit",
        request=None,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: CaseDetailSerializer, **errors(403, 404, 409)},
        tags=["cases"],
    )
    def post(self, request: Request, case_id: int) -> Response:
        user = actor(request)
        return command(
            request,
            run=lambda key: case_resubmit(actor=user, case_id=case_id, idempotency_key=key),
            render=lambda case: case_document(user, case.pk),
        )


class ReasonSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=2000)


class CaseWithdrawApi(APIView):
    """The applicant withdraws the application (before issuance); open items are cancelled."""

    @extend_schema(
        operation_id="cases_withdraw",
        request=ReasonSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: CaseDetailSerializer, **errors(400, 403, 404, 409)},
        tags=["cases"],
    )
    def post(self, request: Request, case_id: int) -> Response:
        user = actor(request)
        data = validated(ReasonSerializer, request.data)
        return command(
            request,
            run=lambda key: case_withdraw(actor=user, case_id=case_id, reason=data["reason"], idempotency_key=key),
            render=lambda case: case_document(user, case.pk),
        )


class CaseEventListApi(ListApi):
    """The audit trail (staff), oldest first: the window and supervisors read all of it, a reviewer the case's and
    their items'."""

    ordering = ("at", "id")

    @extend_schema(
        operation_id="cases_events",
        responses={200: CaseEventSerializer(many=True), **errors(403, 404)},
        tags=["cases"],
    )
    def get(self, request: Request, case_id: int) -> Response:
        user = actor(request)
        case = access_case_for_user(user, case_id)
        require_role(user, *STAFF)
        return self.page(request, case_event_list_for_user(user, case), CaseEventSerializer)


# ------------------------------------------------------------------ progress and tracking


class CaseProgressApi(APIView):
    """Progress by stage and item, with the ETA (the tracking page's data, by case id)."""

    @extend_schema(
        operation_id="cases_progress",
        responses={200: TrackSerializer, **errors(403, 404)},
        tags=["cases"],
    )
    def get(self, request: Request, case_id: int) -> Response:
        return Response(TrackSerializer(case_progress(access_case_for_user(actor(request), case_id))).data)


def _track_response(request: HttpRequest, stamp: TrackStamp) -> HttpResponse:
    """The tracking answer (cached JSON bytes), or 304 when the client holds the current ETag."""
    etag = stamp.etag
    if etag in parse_etags(request.headers.get("If-None-Match", "")):
        response: HttpResponse = HttpResponseNotModified()
    else:
        body = track_json(stamp, lambda: JSONRenderer().render(TrackSerializer(track_progress(stamp)).data))
        response = HttpResponse(body, content_type="application/json")
    response["ETag"] = etag
    # The code is a secret link and the answer changes: only the asker's client keeps it, asking again
    # every time (PrivateByDefaultMiddleware keeps this for anonymous askers, see revalidated_answer).
    response["Cache-Control"] = "private, no-cache"
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response


@revalidated_answer
class TrackApi(APIView):
    """Public tracking by code: progress by stage and item, ETA. No sign-in, no personal data.

    The busiest public request: a found code is answered without DRF's
    request wrapping, negotiation and rendering (the answer is cached JSON
    bytes, see ``selectors.track_stamp``); unknown codes, other methods, and
    any throttling configured on the view go through DRF as usual.
    """

    permission_classes = (AllowAny,)
    authentication_classes = ()
    throttle_classes = (TrackThrottle,)

    @classmethod
    def as_view(cls, **initkwargs: Any) -> AsView[GenericView]:
        """DRF's view with the lean path for a found code in front of it."""
        drf_view = super().as_view(**initkwargs)

        def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            # A found code is counted against the throttles (per address) as DRF would count it; a throttled
            # request or an unknown code goes on to DRF, which answers 429 with Retry-After or 404 (and
            # counts the request there, once).
            if request.method == "GET":
                stamp = track_stamp(kwargs.get("code", ""))
                if stamp is not None and all(allows(throttle(), request) for throttle in cls.throttle_classes):
                    return _track_response(request, stamp)
            return drf_view(request, *args, **kwargs)

        # update_wrapper keeps cls, initkwargs and csrf_exempt: URL introspection and the schema see DRF's view
        return cast("AsView[GenericView]", functools.update_wrapper(view, drf_view))

    @extend_schema(
        operation_id="track",
        description=(
            "Case, dashes and spaces do not matter; I/L read as 1, O as 0. Unknown codes answer 404. "
            "Answers carry an ETag (Cache-Control: private, no-cache); a request with If-None-Match of the "
            "current ETag gets 304 without a body. The ETag changes with every change of the case, the day, "
            "the calendar, the catalog and the language. Throttled per address (429)."
        ),
        responses={200: TrackSerializer, 304: OpenApiResponse(description="not modified"), **errors(404, 429)},
        tags=["tracking"],
    )
    def get(self, request: Request, code: str) -> HttpResponse:
        stamp = track_stamp(code)
        if stamp is None:
            raise Http404(_("no case has this tracking code"))
        return _track_response(request, stamp)


# ------------------------------------------------------------------ notifications


class NotificationListApi(ListApi):
    """In-app notifications of the applicants the user acts for, newest first."""

    ordering = ("-created_at", "-id")

    @extend_schema(
        operation_id="notifications_list",
        responses={200: NotificationSerializer(many=True), **errors(403)},
        tags=["notifications"],
    )
    def get(self, request: Request) -> Response:
        rows = notification_list_for_user(actor(request)).select_related("case__thing")
        return self.page(request, rows, NotificationSerializer)
