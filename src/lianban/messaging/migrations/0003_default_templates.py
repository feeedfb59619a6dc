"""Default templates (version 1) for every kind of notification: SMS and e-mail to the applicant, e-mail to staff."""

from django.db import migrations

SMS = {
    "SUBMITTED": "您申请的{thing}（办件编号{code}）已提交，请留意办理进度。",
    "CORRECTION": "您的申请{code}需要补正材料，请登录联办查看补正告知。",
    "ACCEPTED": "您的申请{code}（{thing}）已受理，详情请登录联办查看。",
    "REFUSED": "您的申请{code}（{thing}）未予受理，原因请登录联办查看。",
    "SUPPLEMENT": "您的申请{code}有事项需要补充材料，请登录联办查看。",
    "ITEM_DECIDED": "您的申请{code}有事项已作出决定，请登录联办查看。",
    "READY": "您的申请{code}（{thing}）已全部办结，请按通知领取结果。",
    "ISSUED": "您的申请{code}（{thing}）的办理结果已出件。",
    "WITHDRAWN": "您的申请{code}（{thing}）已撤回。",
}
APPLICANT_SUBJECT = "【联办】{kind}：{code}"
APPLICANT_EMAIL = "{applicant}，您好：\n\n{message}\n\n办件编号：{code}\n办理事项：{thing}\n\n本邮件由系统自动发送，请勿回复。"
STAFF_SUBJECT = "【联办】{kind}：{code}"
STAFF_EMAIL = "办件{code}（{thing}，申请人：{applicant}）：\n\n{message}\n\n请登录工作台查看。本邮件由系统自动发送，请勿回复。"


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    template_model = apps.get_model("messaging", "MessageTemplate")
    version_model = apps.get_model("messaging", "TemplateVersion")
    rows = []
    for kind, sms in SMS.items():
        rows.append((kind, "SMS", "APPLICANT", "", sms))
        rows.append((kind, "EMAIL", "APPLICANT", APPLICANT_SUBJECT, APPLICANT_EMAIL))
        rows.append((kind, "EMAIL", "HANDLER", STAFF_SUBJECT, STAFF_EMAIL))
        rows.append((kind, "EMAIL", "SUPERVISOR", STAFF_SUBJECT, STAFF_EMAIL))
    for kind, channel, audience, subject, body in rows:
        template, created = template_model.objects.get_or_create(
            kind=kind, channel=channel, audience=audience, defaults={"subject": subject, "body": body, "version": 1}
        )
        if created:
            version_model.objects.create(
                template=template, version=1, subject=subject, body=body, saved_at=template.updated_at
            )


class Migration(migrations.Migration):
    dependencies = [("messaging", "0002_status_forward_only")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
