"""Two submits of one draft at the same moment (a double click, two tabs): one case, the same for both."""

from __future__ import annotations

import pytest

from lianban.cases.models import Case
from lianban.portal.services import draft_submit
from tests.cases.test_concurrency import run_together

from .helpers import complete, hotel_draft

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("case_rows_wiped_first")]


@pytest.mark.parametrize("keys", [("same", "same"), ("one", "other"), (None, None)])
def test_submitting_one_draft_twice_at_once_opens_one_case(people, clock, keys):
    draft = complete(people, hotel_draft(people))
    results = run_together(
        *(
            lambda key=key: draft_submit(actor=people.applicant_user, draft_id=draft.pk, idempotency_key=key)
            for key in keys
        )
    )
    assert [kind for kind, _value in results] == ["ok", "ok"], results
    assert Case.objects.count() == 1
    assert {value.pk for _kind, value in results} == {Case.objects.get().pk}
