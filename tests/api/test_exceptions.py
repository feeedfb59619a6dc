"""Every error the engine raises has a decided answer in the one error shape."""

from __future__ import annotations

import inspect

from django.core.exceptions import PermissionDenied
from django.http import Http404

import pytest

from lianban.api.exceptions import exception_handler
from lianban.core import case_errors
from lianban.core.case_errors import (
    ActionInvalid,
    ApplicantInvalid,
    BillNotOpen,
    BillUnsettled,
    FormInvalid,
    IdempotencyKeyReused,
    IntakeIncomplete,
    ItemHeld,
    MaterialUnknown,
    TextTooLong,
    TransitionRefused,
    UploadRefused,
)
from lianban.core.errors import (
    AnswerProblem,
    AnswersInvalid,
    CalendarNotCovered,
    DomainError,
    NotAllowed,
    NotVisible,
    UnknownThing,
)

CASES: list[tuple[Exception, int, str, dict[str, list[str]]]] = [
    (TransitionRefused("case", "SUBMITTED", "issue"), 409, "transition-not-allowed", {}),
    (FormInvalid({"company_name": "is required"}), 400, "form-invalid", {"company_name": ["is required"]}),
    (UploadRefused("the file is empty"), 400, "upload-refused", {"file": ["the file is empty"]}),
    (MaterialUnknown("YYZZ is not a material to submit"), 400, "material-unknown", {}),
    (
        IntakeIncomplete("cannot", [("GSZC", "missing"), ("GSZC", "unchecked"), ("RZWJ", "wrong")]),
        409,
        "intake-incomplete",
        {"GSZC": ["missing", "unchecked"], "RZWJ": ["wrong or incomplete"]},
    ),
    (ItemHeld("waiting for WSJC"), 409, "item-held", {}),
    (BillUnsettled("not paid"), 409, "bill-unsettled", {}),
    (IdempotencyKeyReused("used"), 409, "idempotency-key-reused", {}),
    (ApplicantInvalid({"id_number": "bad"}), 400, "applicant-invalid", {"id_number": ["bad"]}),
    (ActionInvalid("already settled"), 409, "action-invalid", {}),
    (BillNotOpen("already settled"), 409, "bill-not-open", {}),
    (TextTooLong("at most 2000 characters"), 409, "text-too-long", {}),
    *[
        (kind("not acceptable"), 409, kind.code, {})
        for kind in (
            case_errors.TextRequired,
            case_errors.ChoiceInvalid,
            case_errors.NothingChosen,
            case_errors.ReferenceUnknown,
            case_errors.ApplicantKindMismatch,
            case_errors.CaseNotInState,
            case_errors.DraftSubmitted,
            case_errors.TooManyFields,
            case_errors.ValidityInvalid,
            case_errors.LicenceDuplicate,
            case_errors.TooLate,
            case_errors.IdentityNotClaimed,
            case_errors.RoleRefused,
        )
    ],
    (CalendarNotCovered(2027), 409, "calendar-not-covered", {}),
    (UnknownThing("NOPE"), 400, "thing-unknown", {}),
    (
        AnswersInvalid([AnswerProblem("area", "below 0"), AnswerProblem("area", "x")]),
        400,
        "answers-invalid",
        {"area": ["below 0", "x"]},
    ),
    (Http404(), 404, "not_found", {}),
    (PermissionDenied("only the window decides"), 403, "permission_denied", {}),
    (NotVisible(), 404, "not_found", {}),
    (NotAllowed("only the window decides"), 403, "permission_denied", {}),
]


@pytest.mark.parametrize(("error", "status", "code", "fields"), CASES, ids=[type(c[0]).__name__ for c in CASES])
def test_the_error_is_mapped(error: Exception, status: int, code: str, fields: dict[str, list[str]]) -> None:
    response = exception_handler(error, {})
    assert response is not None
    assert response.status_code == status
    assert response.data["code"] == code
    assert response.data["fields"] == fields
    assert response.data["message"]


def test_a_permission_denied_keeps_its_reason() -> None:
    response = exception_handler(PermissionDenied("only the window decides"), {})
    assert response is not None
    assert response.data["message"] == "only the window decides"


def test_every_case_engine_error_has_a_row() -> None:
    engine_errors = {
        cls
        for _name, cls in inspect.getmembers(case_errors, inspect.isclass)
        if issubclass(cls, DomainError) and cls is not DomainError
    }
    assert engine_errors <= {type(error) for error, *_ in CASES}


def test_each_kind_of_action_invalid_has_its_own_code() -> None:
    kinds = [cls for _name, cls in inspect.getmembers(case_errors, inspect.isclass) if issubclass(cls, ActionInvalid)]
    codes = [cls.code for cls in kinds if cls is not ActionInvalid]
    assert len(codes) >= 15 and len(set(codes)) == len(codes) and "action-invalid" not in codes
    assert all(code == code.lower() and " " not in code and "_" not in code for code in codes)
