"""A service's NotVisible / NotAllowed answer a page 404 / 403 (``AccessErrorsMiddleware``)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.test import RequestFactory

import pytest

from lianban.common.middleware import AccessErrorsMiddleware
from lianban.core.errors import DomainError, NotAllowed, NotVisible


def test_the_middleware_is_installed_before_the_views_run() -> None:
    assert "lianban.common.middleware.AccessErrorsMiddleware" in settings.MIDDLEWARE


def test_not_visible_is_404_and_not_allowed_is_403_with_the_reason() -> None:
    middleware = AccessErrorsMiddleware(lambda request: HttpResponse())
    request = RequestFactory().get("/")
    with pytest.raises(Http404):
        middleware.process_exception(request, NotVisible())
    with pytest.raises(PermissionDenied, match="only the unit"):
        middleware.process_exception(request, NotAllowed("only the unit"))
    assert middleware.process_exception(request, ValueError("other")) is None  # the rest is Django's


def test_they_are_not_domain_errors_so_pages_showing_messages_let_them_through() -> None:
    assert not issubclass(NotVisible, DomainError) and not issubclass(NotAllowed, DomainError)


@pytest.mark.django_db
def test_a_ticket_of_another_department_is_a_404_page(people, clock, client) -> None:  # type: ignore[no-untyped-def]
    from tests.evaluation.test_tickets import bad_item_rating

    _case, _item, ticket = bad_item_rating(people, clock)
    client.force_login(people.reviewer("ZJ"))
    assert client.post(f"/work/rectifications/{ticket.pk}/", {"step": "precheck"}).status_code == 404
    client.force_login(people.supervisor)  # sees it, does not work it
    assert client.post(f"/work/rectifications/{ticket.pk}/", {"step": "precheck", "verdict": "TRUE"}).status_code == 403
