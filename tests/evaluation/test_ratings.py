"""好差评 ratings: one per service per evaluator through every channel, append-only, default after N days."""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, connection, transaction

import pytest

from lianban.cases.models import CaseEvent, ItemCase, Notification
from lianban.core.case_errors import ChoiceInvalid, TooLate
from lianban.core.errors import NotVisible
from lianban.core.evaluation import IndicatorsInvalid, LevelInvalid
from lianban.evaluation import services as ev
from lianban.evaluation.models import AppendOnlyRating, Rating, RatingToken, RectificationTicket
from tests.cases.kit import FrozenClock, People, submit
from tests.evaluation.kit import issued

pytestmark = pytest.mark.django_db


def test_a_running_case_cannot_be_rated(people: People) -> None:
    case = submit(people)
    assert ev.case_services(case) == []
    with pytest.raises(ev.NotRatable):
        ev.rating_give(actor=people.applicant_user, case_id=case.pk, item_case_id=None, given=ev.Given(level=5))


def test_an_issued_case_offers_the_case_and_each_decided_item(people: People, clock: FrozenClock) -> None:
    case = issued(people, clock)
    services = ev.case_services(case)
    items = list(ItemCase.objects.filter(case=case, state="APPROVED").order_by("position"))
    assert [s.key for s in services] == [f"case:{case.pk}"] + [f"item:{i.pk}" for i in items]
    assert [s.department_id for s in services[1:]] == [i.department_id for i in items]
    assert services[0].staff_id == people.clerk.pk  # who handed the results out
    assert [s.staff_id for s in services[1:]] == [i.decided_by_id for i in items]


def test_one_rating_per_service_the_second_is_refused(people: People, clock: FrozenClock) -> None:
    case = issued(people, clock)
    rating = ev.rating_give(
        actor=people.applicant_user, case_id=case.pk, item_case_id=None, given=ev.Given(level=5, comment="很好")
    )
    assert (rating.level, rating.channel, rating.is_default, rating.department_id) == (
        5,
        "PORTAL",
        False,
        case.lead_department_id,
    )
    with pytest.raises(ev.AlreadyRated):
        ev.rating_give(actor=people.applicant_user, case_id=case.pk, item_case_id=None, given=ev.Given(level=4))
    with pytest.raises(ev.AlreadyRated):  # nor by telephone through the window
        ev.rating_enter(
            actor=people.clerk, case_id=case.pk, item_case_id=None, channel="PHONE", given=ev.Given(level=4)
        )
    assert CaseEvent.objects.filter(case=case, action="rating.given").count() == 1


def test_the_database_refuses_a_second_rating_too(people: People, clock: FrozenClock) -> None:
    case = issued(people, clock)
    rating = ev.rating_give(actor=people.applicant_user, case_id=case.pk, item_case_id=None, given=ev.Given(level=5))
    rating.pk = None
    rating._state.adding = True
    with pytest.raises(IntegrityError), transaction.atomic():
        rating.save()


def test_ratings_are_append_only(people: People, clock: FrozenClock) -> None:
    case = issued(people, clock)
    rating = ev.rating_give(actor=people.applicant_user, case_id=case.pk, item_case_id=None, given=ev.Given(level=5))
    with pytest.raises(AppendOnlyRating):
        rating.save()
    with pytest.raises(AppendOnlyRating):
        rating.delete()
    with pytest.raises(AppendOnlyRating):
        Rating.objects.filter(pk=rating.pk).update(level=1)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE evaluation_rating SET level = 1 WHERE id = %s", [rating.pk])
    assert Rating.objects.get(pk=rating.pk).level == 5


def test_levels_and_indicators_are_checked(people: People, clock: FrozenClock) -> None:
    case = issued(people, clock)
    with pytest.raises(LevelInvalid):
        ev.rating_give(actor=people.applicant_user, case_id=case.pk, item_case_id=None, given=ev.Given(level=6))
    with pytest.raises(IndicatorsInvalid):  # a 差评 says what was wrong
        ev.rating_give(actor=people.applicant_user, case_id=case.pk, item_case_id=None, given=ev.Given(level=1))
    assert not Rating.objects.exists()


def test_someone_else_cannot_rate_the_case(people: People, clock: FrozenClock) -> None:

    case = issued(people, clock)
    with pytest.raises(NotVisible):
        ev.rating_give(actor=people.other_user, case_id=case.pk, item_case_id=None, given=ev.Given(level=5))


def test_staff_enter_a_telephone_rating_marked_so(people: People, clock: FrozenClock) -> None:
    case = issued(people, clock)
    item = ItemCase.objects.filter(case=case, state="APPROVED").first()
    assert item is not None
    rating = ev.rating_enter(
        actor=people.clerk, case_id=case.pk, item_case_id=item.pk, channel="PAPER", given=ev.Given(level=4)
    )
    assert (rating.channel, rating.entered_by_id, rating.applicant_id) == ("PAPER", people.clerk.pk, case.applicant_id)
    with pytest.raises(ChoiceInvalid):
        ev.rating_enter(
            actor=people.clerk, case_id=case.pk, item_case_id=None, channel="PORTAL", given=ev.Given(level=4)
        )


def test_a_link_token_rates_each_service_once_then_is_spent(people: People, clock: FrozenClock) -> None:
    case = issued(people, clock)
    token = ev.case_token(case=case, channel="LINK")
    assert ev.case_token(case=case, channel="LINK") == token  # reused while valid
    _, services = ev.token_services(token.token)
    for service in services:
        item_id = service.item_case.pk if service.item_case else None
        rating = ev.rating_give_by_token(token=token.token, item_case_id=item_id, given=ev.Given(level=5))
        assert rating.channel == "LINK" and rating.applicant_id == case.applicant_id
    token.refresh_from_db()
    assert token.used_at is not None
    with pytest.raises(ev.TokenInvalid):
        ev.rating_give_by_token(token=token.token, item_case_id=None, given=ev.Given(level=5))


def test_a_token_expires(people: People, clock: FrozenClock) -> None:
    case = issued(people, clock)
    token = ev.case_token(case=case, channel="QR")
    clock.moment += timedelta(days=30, seconds=1)
    with pytest.raises(ev.TokenInvalid):
        ev.token_services(token.token)
    with pytest.raises(ev.TokenInvalid):
        ev.rating_give_by_token(token=token.token, item_case_id=None, given=ev.Given(level=5))
    with pytest.raises(ev.TokenInvalid):
        ev.token_services("no-such-token")


def test_a_visit_token_from_the_window_rates_one_visit(people: People, clock: FrozenClock) -> None:
    case = submit(people)  # a window contact can be rated while the case runs
    token = ev.visit_token_make(actor=people.clerk, case_id=case.pk)
    rating = ev.rating_give_by_token(
        token=token.token, item_case_id=None, given=ev.Given(level=4, indicators=["attitude"])
    )
    assert (rating.kind, rating.channel, rating.staff_id, rating.service) == (
        "VISIT",
        "TABLET",
        people.clerk.pk,
        f"visit:{token.pk}",
    )
    with pytest.raises(ev.TokenInvalid):  # one-time
        ev.rating_give_by_token(token=token.token, item_case_id=None, given=ev.Given(level=5))
    started = CaseEvent.objects.get(case=case, action="rating.visit_started")
    assert "level" not in started.after  # the clerk's trail never holds a level before it is given


def test_one_follow_up_within_the_window(people: People, clock: FrozenClock) -> None:
    case = issued(people, clock)
    rating = ev.rating_give(actor=people.applicant_user, case_id=case.pk, item_case_id=None, given=ev.Given(level=4))
    follow = ev.follow_up_add(actor=people.applicant_user, rating_id=rating.pk, comment="取件也很快")
    assert follow.follow_up_of_id == rating.pk and follow.level == 4
    with pytest.raises(ev.AlreadyRated):
        ev.follow_up_add(actor=people.applicant_user, rating_id=rating.pk, comment="再说一次")


def test_a_follow_up_after_the_window_is_refused(people: People, clock: FrozenClock) -> None:
    case = issued(people, clock)
    rating = ev.rating_give(actor=people.applicant_user, case_id=case.pk, item_case_id=None, given=ev.Given(level=4))
    clock.moment += timedelta(days=16)
    with pytest.raises(TooLate):
        ev.follow_up_add(actor=people.applicant_user, rating_id=rating.pk, comment="晚了")


def test_unrated_services_get_the_default_after_seven_days(people: People, clock: FrozenClock) -> None:
    case = issued(people, clock)
    ev.rating_give(actor=people.applicant_user, case_id=case.pk, item_case_id=None, given=ev.Given(level=5))
    clock.moment += timedelta(days=7)
    assert ev.default_ratings() == 0  # seven days are still the evaluator's
    clock.moment += timedelta(days=1)
    given = ev.default_ratings()
    services = ev.case_services(case)
    assert given == len(services) - 1
    defaults = Rating.objects.filter(case=case, is_default=True)
    assert {r.level for r in defaults} == {3} and {r.channel for r in defaults} == {"SYSTEM"}
    assert not RectificationTicket.objects.exists()
    assert ev.default_ratings() == 0  # once
    item = services[1].item_case
    assert item is not None
    with pytest.raises(ev.AlreadyRated):  # the service's rating is the default now
        ev.rating_give(actor=people.applicant_user, case_id=case.pk, item_case_id=item.pk, given=ev.Given(level=5))
    assert CaseEvent.objects.filter(case=case, action="rating.defaulted").count() == given


def test_a_withdrawn_case_is_rated_as_a_whole(people: People, clock: FrozenClock) -> None:
    from lianban.cases.services import case_withdraw

    case = submit(people)
    case_withdraw(actor=people.applicant_user, case_id=case.pk, reason="不办了")
    case.refresh_from_db()
    assert [s.key for s in ev.case_services(case)] == [f"case:{case.pk}"]
    assert Notification.objects.filter(case=case).exists()


def test_the_finishing_message_carries_the_rating_link(people: People, clock: FrozenClock) -> None:
    case = issued(people, clock)
    message = Notification.objects.get(case=case, kind="ISSUED").message
    token = RatingToken.objects.get(case=case, channel="LINK")
    assert message.endswith(f"/rate/{token.token}/")
    assert not Notification.objects.filter(case=case, kind="READY", message__contains="/rate/").exists()
