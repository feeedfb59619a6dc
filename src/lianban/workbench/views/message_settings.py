"""A staff member's message settings: whether supervision's reminders (黄牌 / 红牌, 督办) also come by SMS and
e-mail (the workbench itself always shows them)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lianban.accounts.models import Role
from lianban.messaging.selectors import preference_of
from lianban.messaging.services import preference_set
from lianban.workbench.views.common import roles_required, see_other, staff_user


class StaffPreferenceForm(forms.Form):
    sms = forms.BooleanField(label=gettext_lazy("Text messages (SMS) to my account's phone"), required=False)
    email = forms.BooleanField(label=gettext_lazy("E-mail to my account's e-mail address"), required=False)


@roles_required(Role.CLERK, Role.REVIEWER, Role.SUPERVISOR)
def message_settings(request: HttpRequest) -> HttpResponse:
    """Show and change which channels carry the reminders sent to the user."""
    user = staff_user(request)
    if request.method == "POST":
        form = StaffPreferenceForm(request.POST)
        if form.is_valid():
            preference_set(user=user, sms=form.cleaned_data["sms"], email=form.cleaned_data["email"])
            messages.success(request, _("Your message settings are saved."))
            return see_other(reverse("workbench:message_settings"))
    else:
        preference = preference_of(user)
        form = StaffPreferenceForm(initial={"sms": preference.sms, "email": preference.email})
    context = {"form": form, "has_email": bool(user.email), "has_phone": bool(user.phone)}
    return render(request, "workbench/message_settings.html", context)
