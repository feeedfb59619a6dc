"""Supervision's reminders reach people (issue 13): 黄牌 / 红牌 and the 督办 steps become messages to staff,
made by the messaging worker and sent through a real local SMTP server and a local Aliyun SMS endpoint.

Each message is queued in the transaction that creates the signal or records the step, so a second sweep
sends nothing again; the staff's messages carry the tracking code and nothing else about the applicant.
"""

from __future__ import annotations

import json
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client

import pytest

from lianban.accounts.models import Role, User
from lianban.cases.models import Case
from lianban.catalog.models import Department
from lianban.core import sms_signing
from lianban.messaging.models import (
    STAFF_PLACEHOLDERS,
    Audience,
    Channel,
    Message,
    MessageTemplate,
    StaffDispatch,
    StaffKind,
    Status,
)
from lianban.messaging.services import messages_run, preference_set
from lianban.supervision.models import DepartmentLeader, Signal, SignalLevel, SupervisionOrder
from lianban.supervision.orders import order_raise
from lianban.supervision.reminders import order_topic
from lianban.supervision.services import deadline_sweep
from tests.cases.kit import SAMPLE_PERSONAL, FrozenClock, People, items, make_user
from tests.messaging.servers import SmsProvider, SmtpServer
from tests.supervision.test_supervision import accepted, approve

pytestmark = pytest.mark.django_db


def staff(people: People) -> dict[str, User]:
    """Staff with addresses: two reviewers of SCJG, one of ZJ, the supervisor."""
    second = make_user("rev_SCJG_2", Role.REVIEWER, "SCJG")
    named = {
        "scjg": people.reviewer("SCJG"),
        "scjg2": second,
        "zj": people.reviewer("ZJ"),
        "super": people.supervisor,
    }
    for key, user in named.items():
        user.email = f"{key}@gov.example.cn"
        user.phone = f"1370000000{len(key)}"
        user.save()
    return named


def mails_to(smtp: SmtpServer, address: str, word: str) -> list[str]:
    """The subjects of the mails the server took for ``address`` whose subject has ``word``."""
    return [str(mail["Subject"]) for to, mail in smtp.mails if address in to and word in str(mail["Subject"])]


def overdue(people: People, clock: FrozenClock) -> Case:
    """A case whose SCJG item is left past its due date (10 March 2025); the clock on the day after."""
    case = accepted(people)
    approve(people, case, "SCJG-GSSL")
    assert items(case)["SCJG-SPJY"].due_on == date(2025, 3, 10)
    messages_run(budget_seconds=10)  # the applicant's notices so far: not the staff's business
    clock.set(date(2025, 3, 11))
    return case


def test_a_red_card_mails_the_department_staff_and_the_supervisors_once(
    people: People, clock: FrozenClock, smtp: SmtpServer
) -> None:
    who = staff(people)
    case = overdue(people, clock)
    deadline_sweep()
    messages_run(budget_seconds=10)
    deadline_sweep()  # run again: no new signal, no new message
    messages_run(budget_seconds=10)
    assert not StaffDispatch.objects.exists()

    reds = Signal.objects.filter(case=case, level=SignalLevel.RED, department__code="SCJG")
    assert reds.count() >= 1
    for key in ("scjg", "scjg2"):
        assert len(mails_to(smtp, who[key].email, "红牌")) == reds.count(), key
    every_red = Signal.objects.filter(case=case, level=SignalLevel.RED)
    assert len(mails_to(smtp, who["super"].email, "红牌")) == every_red.count()  # whichever department
    assert len(set(mails_to(smtp, who["super"].email, "红牌"))) == every_red.values("department").distinct().count()
    red = Message.objects.filter(kind=StaffKind.SIGNAL_RED, recipient=who["scjg"]).first()
    assert red is not None and red.case_id == case.pk and red.status == Status.DELIVERED
    assert case.code_for_people in red.subject and case.code_for_people in red.body

    # the red card's 督办 order was raised once and told the department, filed under the order
    order = SupervisionOrder.objects.get(item_case=items(case)["SCJG-SPJY"])
    raised = Message.objects.filter(kind=StaffKind.ORDER_RAISED, topic=order_topic(order.pk), channel=Channel.EMAIL)
    assert sorted(m.recipient_id for m in raised) == sorted([who["scjg"].pk, who["scjg2"].pk])
    assert len(mails_to(smtp, who["scjg"].email, f"督办单{order.pk}")) == 1
    assert mails_to(smtp, who["super"].email, "督办单") == []  # supervisors are not told of every order


def test_no_red_card_mail_to_another_department(people: People, clock: FrozenClock, smtp: SmtpServer) -> None:
    who = staff(people)
    case = overdue(people, clock)
    deadline_sweep()
    messages_run(budget_seconds=10)
    zj_reds = Signal.objects.filter(case=case, level=SignalLevel.RED, department__code="ZJ").count()
    assert len(mails_to(smtp, who["zj"].email, "红牌")) == zj_reds


def test_a_yellow_card_goes_to_the_staff_member_handling_the_item(
    people: People, clock: FrozenClock, smtp: SmtpServer
) -> None:
    who = staff(people)
    case = accepted(people)
    approve(people, case, "SCJG-GSSL")
    from lianban.review.services import item_case_take

    item_case_take(actor=who["scjg2"], item_case_id=items(case)["SCJG-SPJY"].pk)
    messages_run(budget_seconds=10)
    clock.set(date(2025, 3, 7))  # Friday: one working day left of the item
    deadline_sweep()
    deadline_sweep()
    messages_run(budget_seconds=10)
    yellow = Signal.objects.get(subject="ITEM_CASE", subject_id=items(case)["SCJG-SPJY"].pk, level=SignalLevel.YELLOW)
    assert yellow.responsible_id == who["scjg2"].pk
    assert len(mails_to(smtp, who["scjg2"].email, "黄牌")) == 1  # the one who took it
    item_yellow = Message.objects.filter(kind=StaffKind.SIGNAL_YELLOW, recipient=who["scjg"], case=case)
    # the other SCJG reviewer gets a yellow card only where nobody took the item (the case's own signal)
    assert (
        item_yellow.count()
        == Signal.objects.filter(
            case=case, level=SignalLevel.YELLOW, department__code="SCJG", responsible__isnull=True
        ).count()
    )
    assert mails_to(smtp, who["super"].email, "黄牌") == []


def test_urging_and_escalation_reach_the_department_and_its_leader_by_mail_and_sms(
    people: People, clock: FrozenClock, aliyun: SmsProvider, smtp: SmtpServer
) -> None:
    who = staff(people)
    leader = make_user("scjg-leader", Role.REVIEWER, "WJ")  # a leader may sit outside the department's reviewers
    leader.email, leader.phone = "leader@gov.example.cn", "13611112222"
    leader.save()
    DepartmentLeader.objects.create(department=Department.objects.get(code="SCJG"), leader=leader)
    for kind, code in ((StaffKind.ORDER_URGED, "SMS_URGE"), (StaffKind.ORDER_ESCALATED, "SMS_ESC")):
        for template in MessageTemplate.objects.filter(kind=kind, channel=Channel.SMS):
            template.provider_template = code
            template.save()
    preference_set(user=who["scjg2"], sms=True, email=False)  # this reviewer reads SMS only
    case = overdue(people, clock)
    deadline_sweep()  # the red card and its order (sign for by 12 March)
    order = SupervisionOrder.objects.get(item_case=items(case)["SCJG-SPJY"])
    for day in (date(2025, 3, 13), date(2025, 3, 13), date(2025, 3, 18), date(2025, 3, 19), date(2025, 3, 20)):
        clock.set(day)
        deadline_sweep()
        messages_run(budget_seconds=10)

    topic = order_topic(order.pk)
    urged = Message.objects.filter(kind=StaffKind.ORDER_URGED, topic=topic)
    assert sorted((m.recipient_id, m.channel) for m in urged) == sorted(
        [(who["scjg"].pk, "EMAIL"), (who["scjg"].pk, "SMS"), (who["scjg2"].pk, "SMS")]
    )
    assert len(mails_to(smtp, who["scjg"].email, "催办")) == 1
    assert mails_to(smtp, who["scjg2"].email, "催办") == []  # preference: no e-mail
    escalated = Message.objects.filter(kind=StaffKind.ORDER_ESCALATED, topic=topic)
    assert sorted((m.recipient_id, m.channel, m.audience) for m in escalated) == [
        (leader.pk, "EMAIL", Audience.LEADER),
        (leader.pk, "SMS", Audience.LEADER),
    ]
    (escalation_mail,) = mails_to(smtp, leader.email, "督办升级")
    assert str(order.pk) in escalation_mail
    for key in ("scjg", "zj"):
        assert mails_to(smtp, who[key].email, "督办升级") == []
    # the supervisors get only the escalations of departments with no leader recorded (here STHJ's), not SCJG's
    assert all("未登记分管领导" in m and "市场监督" not in m for m in mails_to(smtp, who["super"].email, "督办升级"))

    sent = [
        (p["PhoneNumbers"], p["TemplateCode"], json.loads(p["TemplateParam"]))
        for p in aliyun.received
        if p["TemplateCode"] in ("SMS_URGE", "SMS_ESC")  # the order's raising has no provider code: failed, technical
        and (p["PhoneNumbers"], p["TemplateCode"]) != (who["super"].phone, "SMS_ESC")  # STHJ's: no leader recorded
    ]
    assert sorted((phone, code) for phone, code, _values in sent) == sorted(
        [(who["scjg"].phone, "SMS_URGE"), (who["scjg2"].phone, "SMS_URGE"), (leader.phone, "SMS_ESC")]
    )
    for _phone, _code, values in sent:
        assert values["order"] == str(order.pk) and values["code"] == case.code_for_people
        assert values["due"] == "2025-03-12"

    # the order's page lists its messages, with their status, for the department and the supervisor
    for user in (who["scjg"], people.supervisor):
        client = Client()
        client.force_login(user)
        page = client.get(f"/work/orders/{order.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        assert page.count('data-message-status="') == Message.objects.filter(topic=topic).count()
        assert 'data-message-status="DELIVERED"' in page and leader.email not in page  # addresses masked
        assert "督办升级" in page and "督办催办" in page  # each message's kind


def test_a_supervisors_order_tells_the_department_in_its_transaction(
    people: People, clock: FrozenClock, smtp: SmtpServer
) -> None:
    who = staff(people)
    one, two = accepted(people), accepted(people)
    messages_run(budget_seconds=10)

    @transaction.atomic
    def raised_then_rolled_back() -> None:
        order_raise(actor=people.supervisor, case_ids=[one.pk], department_code="ZJ", reason="群众投诉")
        raise RuntimeError  # the change rolled back: no message either

    with pytest.raises(RuntimeError):
        raised_then_rolled_back()
    assert not StaffDispatch.objects.exists()
    order = order_raise(actor=people.supervisor, case_ids=[two.pk, one.pk], department_code="ZJ", reason="群众投诉")
    messages_run(budget_seconds=10)
    (subject,) = mails_to(smtp, who["zj"].email, "督办单")
    assert str(order.pk) in subject
    message = Message.objects.get(kind=StaffKind.ORDER_RAISED, recipient=who["zj"], channel=Channel.EMAIL)
    assert message.topic == order_topic(order.pk) and message.case_id is None  # about two cases
    assert one.code_for_people in message.body and two.code_for_people in message.body
    assert "群众投诉" not in message.body  # the reason is read in the workbench
    assert mails_to(smtp, who["scjg"].email, "督办单") == []


def test_staff_templates_render_and_refuse_applicant_placeholders() -> None:
    values = {"code": "7KQ2-M9XD-4RTA", "order": "12", "department": "市场监管局", "due": "2025-03-12", "kind": "催办"}
    seeded = MessageTemplate.objects.filter(kind__in=StaffKind.values)
    assert {(t.kind, t.channel) for t in seeded} == {(k, c) for k in StaffKind.values for c in ("SMS", "EMAIL")}
    for template in seeded:
        template.full_clean()  # the placeholders are staff ones
        for text in (template.subject, template.body):
            assert set(sms_signing.placeholders(text)) <= set(STAFF_PLACEHOLDERS)
        rendered = sms_signing.render(template.body, values)
        assert "{" not in rendered and "7KQ2-M9XD-4RTA" in rendered
    template = seeded.get(kind=StaffKind.ORDER_URGED, channel=Channel.EMAIL, audience=Audience.DEPARTMENT)
    for leak in ("{applicant}", "{message}", "{thing}"):
        template.body = f"催办 {leak}"
        with pytest.raises(ValidationError, match=leak.strip("{}")):
            template.save()


def test_staff_messages_carry_nothing_of_the_applicant_but_the_tracking_code(
    people: People, clock: FrozenClock, smtp: SmtpServer
) -> None:
    who = staff(people)
    leader = make_user("scjg-leader", Role.REVIEWER, "SCJG")
    leader.email = "leader@gov.example.cn"
    leader.save()
    DepartmentLeader.objects.create(department=Department.objects.get(code="SCJG"), leader=leader)
    case = overdue(people, clock)
    for day in (date(2025, 3, 11), date(2025, 3, 13), date(2025, 3, 19)):
        clock.set(day)
        deadline_sweep()
        messages_run(budget_seconds=10)
    staff_messages = list(Message.objects.filter(kind__in=StaffKind.values))
    assert {m.kind for m in staff_messages} >= {
        StaffKind.SIGNAL_RED,
        StaffKind.ORDER_RAISED,
        StaffKind.ORDER_URGED,
        StaffKind.ORDER_ESCALATED,
    }
    applicant = people.applicant
    personal = {*SAMPLE_PERSONAL, applicant.name, applicant.contact_name, applicant.contact_phone, "张三"}
    staff_addresses = {u.email for u in [*who.values(), leader]}
    texts = [m.subject + m.body + json.dumps(m.params, ensure_ascii=False) for m in staff_messages]
    texts += [mail.get_content() + str(mail["Subject"]) for to, mail in smtp.mails if set(to) <= staff_addresses]
    assert texts
    for text in texts:
        assert case.code_for_people in text
        for value in personal:
            assert value not in text, value


def test_an_escalation_without_a_leader_goes_to_the_supervisors_and_the_gap_is_shown(
    people: People, clock: FrozenClock, smtp: SmtpServer
) -> None:
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    from lianban.supervision.checks import department_leader_check

    who = staff(people)
    case = overdue(people, clock)
    deadline_sweep()  # the red card and its order to SCJG, which has no leader recorded
    order = SupervisionOrder.objects.get(item_case=items(case)["SCJG-SPJY"])
    assert not DepartmentLeader.objects.filter(department__code="SCJG").exists()

    # visible before it escalates: the supervisor's order page and the system check
    supervisor = Client()
    supervisor.force_login(people.supervisor)
    page = supervisor.get(f"/work/orders/{order.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "data-leader-missing" in page and "该部门未登记分管领导" in page
    department = Client()
    department.force_login(who["scjg"])
    assert "data-leader-missing" not in department.get(f"/work/orders/{order.pk}/").content.decode()
    (warning,) = department_leader_check(databases=["default"])
    assert warning.id == "lianban.W111" and "SCJG" in warning.msg
    with pytest.raises(SystemCheckError):
        call_command("check", "--database", "default", "--fail-level", "WARNING", "--tag", "database")

    for day in (date(2025, 3, 13), date(2025, 3, 20)):
        clock.set(day)
        deadline_sweep()
        messages_run(budget_seconds=10)
    order.refresh_from_db()
    assert order.escalated_for == date(2025, 3, 12) and order.escalated_to is None
    escalated = Message.objects.filter(kind=StaffKind.ORDER_ESCALATED, topic=order_topic(order.pk))
    assert sorted((m.recipient_id, m.channel, m.audience) for m in escalated) == [
        (who["super"].pk, "EMAIL", Audience.SUPERVISOR),
        (who["super"].pk, "SMS", Audience.SUPERVISOR),
    ]
    (mail,) = [m for m in mails_to(smtp, who["super"].email, "督办升级") if "市场监督管理局" in m]
    assert "市场监督管理局（未登记分管领导）" in mail and f"督办单{order.pk}" in mail
    for key in ("scjg", "scjg2", "zj"):
        assert mails_to(smtp, who[key].email, "督办升级") == []

    # once a leader is recorded the flag and the warning are gone
    DepartmentLeader.objects.create(department=Department.objects.get(code="SCJG"), leader=who["zj"])
    page = supervisor.get(f"/work/orders/{order.pk}/").content.decode()
    assert "data-leader-missing" not in page
    assert all("SCJG" not in warning.msg for warning in department_leader_check(databases=["default"]))
