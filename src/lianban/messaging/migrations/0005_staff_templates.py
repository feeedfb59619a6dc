"""Default templates (version 1) of the staff's reminders of supervision: SMS and e-mail for every staff audience.

Placeholders are the staff ones only (``messaging.models.STAFF_PLACEHOLDERS``): tracking codes, order number,
department, date, kind; nothing about the applicant.
"""

from django.db import migrations

FOOTER = "\n\n本邮件由系统自动发送，请勿回复。"
TEXTS = {
    "ORDER_RAISED": (
        "督办单{order}已下达{department}（办件{code}），请于{due}前登录工作台签收。",
        "【联办】督办单{order}：请于{due}前签收",
        "{department}：\n\n督办单{order}已下达，涉及办件{code}。请于{due}前登录工作台签收，并按期回复办理情况。",
    ),
    "ORDER_URGED": (
        "催办：督办单{order}（办件{code}）{due}到期的步骤未办理，请尽快登录工作台处理。",
        "【联办】催办：督办单{order}已逾期",
        "{department}：\n\n督办单{order}（办件{code}）应于{due}前完成的步骤尚未办理，现予催办。请尽快登录工作台签收或回复。",
    ),
    "ORDER_ESCALATED": (
        "督办升级：{department}的督办单{order}（办件{code}）自{due}起逾期未办，请督促办理。",
        "【联办】督办升级：{department}的督办单{order}",
        "您好：\n\n{department}的督办单{order}（办件{code}）应于{due}前完成的步骤，催办后仍未办理，"
        "现提请部门负责人督促办理。请登录工作台查看。",
    ),
    "SIGNAL_RED": (
        "红牌：{department}办件{code}已超过期限（{due}），请立即登录工作台处理。",
        "【联办】红牌：{department}办件{code}已超期",
        "{department}：\n\n办件{code}已超过承诺的期限（{due}），已亮红牌。请立即登录工作台处理。",
    ),
    "SIGNAL_YELLOW": (
        "黄牌：办件{code}将于{due}到期，请抓紧办理。",
        "【联办】黄牌：{department}办件{code}将于{due}到期",
        "您好：\n\n办件{code}的期限为{due}，剩余时间已不多，已亮黄牌。请抓紧办理。",
    ),
}
AUDIENCES = ["HANDLER", "DEPARTMENT", "LEADER", "SUPERVISOR"]


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    template_model = apps.get_model("messaging", "MessageTemplate")
    version_model = apps.get_model("messaging", "TemplateVersion")
    for kind, (sms, subject, email) in TEXTS.items():
        for audience in AUDIENCES:
            for channel, subject_text, body in (("SMS", "", sms), ("EMAIL", subject, email + FOOTER)):
                template, created = template_model.objects.get_or_create(
                    kind=kind,
                    channel=channel,
                    audience=audience,
                    defaults={"subject": subject_text, "body": body, "version": 1},
                )
                if created:
                    version_model.objects.create(
                        template=template, version=1, subject=subject_text, body=body, saved_at=template.updated_at
                    )


class Migration(migrations.Migration):
    dependencies = [("messaging", "0004_staff_dispatch_message_topic")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
