"""The applicant's message settings page, the staff's view of a case's messages, the template admin."""

from __future__ import annotations

from django.test import Client

import pytest

from lianban.accounts.models import Role
from lianban.cases.models import CaseEvent
from lianban.intake.services import intake_accept
from lianban.messaging.models import Audience, Channel, MessageTemplate, Preference
from lianban.messaging.services import messages_run
from tests.cases.kit import FrozenClock, People, check_all, make_user, submit

pytestmark = pytest.mark.django_db


def test_the_applicant_switches_sms_off_on_the_portal(people: People, english: None) -> None:
    client = Client()
    client.force_login(people.applicant_user)
    page = client.get("/my/messages/")
    assert page.status_code == 200 and b'name="sms"' in page.content
    response = client.post("/my/messages/", {"email": "on"})
    assert response.status_code == 302
    preference = Preference.objects.get(user=people.applicant_user)
    assert (preference.sms, preference.email) == (False, True)
    assert CaseEvent.objects.filter(action="message.preferences_changed", actor=people.applicant_user).count() == 1
    staff = Client()
    staff.force_login(people.clerk)
    assert staff.get("/my/messages/").status_code == 403


def test_staff_see_each_message_and_its_status_on_the_case_page(
    people: People, clock: FrozenClock, english: None
) -> None:
    case = submit(people, thing="KFG")
    messages_run(budget_seconds=5)
    client = Client()
    client.force_login(people.clerk)
    page = client.get(f"/work/cases/{case.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-message-status="DELIVERED"' in html  # the in-app message
    assert 'data-message-status="SENDING"' in html or 'data-message-status="DELIVERED"' in html
    section = html[html.index('id="messages-title"') : html.index('id="trail-title"')]
    assert "138****0000" in section and "13800000000" not in section  # the number masked


def test_the_catalog_administrator_edits_a_template_and_an_unknown_placeholder_is_named(
    people: People, english: None
) -> None:
    admin_user = make_user("templates", Role.ADMIN)
    admin_user.is_staff = True
    admin_user.save()
    client = Client()
    client.force_login(admin_user)
    template = MessageTemplate.objects.get(kind="ACCEPTED", channel=Channel.SMS, audience=Audience.APPLICANT)
    url = f"/admin/messaging/messagetemplate/{template.pk}/change/"
    assert client.get(url).status_code == 200
    form = {
        "kind": "ACCEPTED",
        "audience": "APPLICANT",
        "channel": "SMS",
        "subject": "",
        "body": "您的申请{code}已受理，请带{papers}来。",
        "provider_template": "SMS_2",
        "active": "on",
        "versions-TOTAL_FORMS": "1",
        "versions-INITIAL_FORMS": "1",
        "versions-MIN_NUM_FORMS": "0",
        "versions-MAX_NUM_FORMS": "1000",
        "versions-0-id": str(template.versions.get().pk),
        "versions-0-template": str(template.pk),
    }
    refused = client.post(url, form)
    assert refused.status_code == 200 and "{papers}" in refused.content.decode()
    form["body"] = "您的申请{code}已受理。"
    assert client.post(url, form).status_code == 302
    template.refresh_from_db()
    assert (template.version, template.provider_template) == (2, "SMS_2")
    client.get("/admin/messaging/messagetemplate/")  # shows (and uses up) the "changed" message linking the template
    missing = client.get("/admin/messaging/messagetemplate/?provider_code=missing").content.decode()
    assert f"/messagetemplate/{template.pk}/change/" not in missing  # it has its code now
    blank = MessageTemplate.objects.filter(channel=Channel.SMS, provider_template="").first()
    assert blank is not None and f"/messagetemplate/{blank.pk}/change/" in missing
    entered = client.get("/admin/messaging/messagetemplate/?provider_code=set").content.decode()
    assert (
        f"/messagetemplate/{template.pk}/change/" in entered and f"/messagetemplate/{blank.pk}/change/" not in entered
    )
    assert client.get("/admin/messaging/message/").status_code == 403  # messages: not the catalog admin's


def test_the_case_page_names_the_messages_in_chinese(people: People, clock: FrozenClock) -> None:
    case = submit(people, thing="KFG")
    messages_run(budget_seconds=5)
    client = Client()
    client.force_login(people.clerk)
    html = client.get(f"/work/cases/{case.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    section = html[html.index('id="messages-title"') : html.index('id="trail-title"')]
    assert "发给办事人的消息" in section and "站内信" in section and "短信" in section
    assert "已送达" in section or "发送中" in section
    for english in ("in-app message", "applicant", "sending", "delivered", "attempts"):
        assert english not in section, english


def test_the_reviewer_sees_the_case_messages_on_the_item_page(
    people: People, clock: FrozenClock, english: None
) -> None:
    case = submit(people, thing="KFG")
    check_all(people, case)
    intake_accept(actor=people.clerk, case_id=case.pk)
    messages_run(budget_seconds=5)
    item = case.item_cases.order_by("id").first()
    assert item is not None
    client = Client()
    client.force_login(people.reviewer(item.department.code))
    html = client.get(f"/work/department/items/{item.pk}/").content.decode()
    section = html[html.index('id="messages-title"') : html.index('id="trail-title"')]
    assert section.count("data-message-status=") >= 2  # received and accepted, at least their 站内信


def test_the_deploy_check_warns_while_the_log_provider_is_configured(settings) -> None:  # type: ignore[no-untyped-def]
    from lianban.messaging.checks import sms_provider_deploy_check

    settings.LIANBAN_SMS_PROVIDER = "log"
    assert [m.id for m in sms_provider_deploy_check()] == ["lianban.W123"]
    settings.LIANBAN_SMS_PROVIDER = "aliyun"
    assert sms_provider_deploy_check() == []
