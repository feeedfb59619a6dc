"""The staff's message settings (``/work/messages/``): clerks, reviewers and supervisors switch SMS and e-mail of
supervision's reminders off or on; the worker honours it; applicants are refused."""

from __future__ import annotations

import re

from django.test import Client

import pytest

from lianban.cases.models import CaseEvent
from lianban.messaging.models import Preference
from tests.cases.kit import People

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def test_a_reviewer_switches_email_off_and_on(people: People) -> None:
    reviewer = people.reviewer("SCJG")
    client = Client()
    client.force_login(reviewer)
    page = client.get("/work/messages/", **ZH).content.decode()
    assert "消息设置" in page and re.search(r'<input[^>]*name="sms"[^>]*checked', page)  # on until switched off
    assert 'href="/work/messages/"' in page  # in the header of staff
    saved = client.post("/work/messages/", {"sms": "on"}, **ZH)
    assert saved.status_code == 303 and saved["Location"] == "/work/messages/"
    preference = Preference.objects.get(user=reviewer)
    assert (preference.sms, preference.email) == (True, False)
    event = CaseEvent.objects.filter(action="message.preferences_changed", actor=reviewer).get()
    assert event.after == {"sms": True, "email": False}
    page = client.get("/work/messages/").content.decode()
    assert re.search(r'<input[^>]*name="sms"[^>]*checked', page)
    assert not re.search(r'<input[^>]*name="email"[^>]*checked', page)
    client.post("/work/messages/", {"sms": "on", "email": "on"})
    preference.refresh_from_db()
    assert (preference.sms, preference.email) == (True, True)


def test_only_staff_with_a_workbench_reach_it(people: People) -> None:
    anonymous = Client().get("/work/messages/")
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    for user in (people.applicant_user, people.admin):
        client = Client()
        client.force_login(user)
        assert client.get("/work/messages/").status_code == 403
        assert client.post("/work/messages/", {"sms": "on"}).status_code == 403
    assert not Preference.objects.exists()
    for user in (people.clerk, people.supervisor):
        client = Client()
        client.force_login(user)
        assert client.get("/work/messages/").status_code == 200
