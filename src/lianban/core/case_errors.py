"""Errors of the case engine (cases, intake, review, issuance).

They live in their own module, next to ``errors.py``, so that the engineers
appending to ``errors.py`` do not collide; each is a ``DomainError`` with a
stable kebab-case ``code`` that the API maps to its error shape.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from lianban.core.errors import DomainError
from lianban.core.text import tx


class TransitionRefused(DomainError):
    """A transition that the state machine does not allow from the current state."""

    code = "transition-not-allowed"

    def __init__(self, kind: str, state: str, event: str, detail: str = "") -> None:
        message = tx(
            "cannot %(event)s a %(kind)s in state %(state)s", event=event.replace("_", " "), kind=kind, state=state
        )
        super().__init__(tx("%(message)s: %(detail)s", message=message, detail=detail) if detail else message)
        self.kind = kind
        self.state = state
        self.event = event
        self.detail = detail


class FormInvalid(DomainError):
    """The merged application form does not fit the plan's fields; one problem per field."""

    code = "form-invalid"

    def __init__(self, problems: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{key}: {text}" for key, text in problems.items()))
        self.problems = dict(problems)


class UploadRefused(DomainError):
    """An uploaded file that is refused (type, size, emptiness), with the reason."""

    code = "upload-refused"


class MaterialUnknown(DomainError):
    """A material code that is not part of the case's plan (or not of the expected kind)."""

    code = "material-unknown"


class IntakeIncomplete(DomainError):
    """Acceptance or a correction notice asked for while the material checks do not allow it."""

    code = "intake-incomplete"

    def __init__(self, message: str, problems: Sequence[tuple[str, str]] = ()) -> None:
        details = "; ".join(f"{code}: {text}" for code, text in problems)
        super().__init__(f"{message} ({details})" if details else message)
        self.reason = message
        self.problems = tuple(problems)


class ItemHeld(DomainError):
    """An item held back by a 容缺 promise cannot be approved until the material arrives."""

    code = "item-held"

    def __init__(self, message: str, *, waiting: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.waiting = waiting  # names of the promised materials the item waits for


class BillUnsettled(DomainError):
    """Results cannot be issued before the case's bill is settled."""

    code = "bill-unsettled"


class IdempotencyKeyReused(DomainError):
    """An idempotency key already used by the same actor for a different operation."""

    code = "idempotency-key-reused"


class ApplicantInvalid(DomainError):
    """An applicant whose identity number does not validate (GB 32100 / GB 11643)."""

    code = "applicant-invalid"

    def __init__(self, problems: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{key}: {text}" for key, text in problems.items()))
        self.problems = dict(problems)


class ActionInvalid(DomainError):
    """A request that is well-formed but not acceptable in the case's situation."""

    code = "action-invalid"


# ------------------------------------------------------------------ what exactly is not acceptable
# Each is an ``ActionInvalid`` (handlers of the catch-all keep working) with its own stable code.


class TextRequired(ActionInvalid):
    """A text the action needs (a reason, a note, a licence or tracking number…) is empty."""

    code = "text-required"


class TextTooLong(ActionInvalid):
    """A text longer than its limit (the message names the limit)."""

    code = "text-too-long"


class ChoiceInvalid(ActionInvalid):
    """A value that is not one of the choices the action offers (a check result, a delivery method, a level…)."""

    code = "choice-invalid"


class NothingChosen(ActionInvalid):
    """The action needs at least one thing to act on (a material to check, a case to supervise, a note or a file)."""

    code = "nothing-chosen"


class ReferenceUnknown(ActionInvalid):
    """A code or number given in the request names nothing (a department, a case)."""

    code = "reference-unknown"


class ApplicantKindMismatch(ActionInvalid):
    """The one-thing is for applicants of another kind (person or enterprise)."""

    code = "applicant-kind-mismatch"


class CaseNotInState(ActionInvalid):
    """The case is not in a state that allows this (outside the state machine's own transitions)."""

    code = "case-not-in-state"


class DraftSubmitted(ActionInvalid):
    """The draft has already been submitted."""

    code = "draft-submitted"


class TooManyFields(ActionInvalid):
    """A form with more fields than the platform accepts."""

    code = "too-many-fields"


class ValidityInvalid(ActionInvalid):
    """A validity that ends before it starts (or before today)."""

    code = "validity-invalid"


class LicenceDuplicate(ActionInvalid):
    """A licence number already recorded for that material."""

    code = "licence-duplicate"


class BillNotOpen(ActionInvalid):
    """A payment for a case without an open bill (none yet, free of charge, or already settled)."""

    code = "bill-not-open"


class TooLate(ActionInvalid):
    """The time allowed for the action has passed."""

    code = "too-late"


class IdentityNotClaimed(ActionInvalid):
    """An identity confirmation asked for a case whose applicant is not an unverified claim."""

    code = "identity-not-claimed"


class RoleRefused(ActionInvalid):
    """The actor's role may not do this inside an action that is otherwise allowed (recording a licence)."""

    code = "role-refused"
