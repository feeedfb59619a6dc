"""The applicant's message settings: SMS and e-mail on or off (the in-app message box is always on)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lianban.messaging.selectors import preference_of
from lianban.messaging.services import preference_set
from lianban.portal.views.common import applicant_page, signed_in_user


class PreferenceForm(forms.Form):
    sms = forms.BooleanField(label=gettext_lazy("Text messages (SMS) to my contact phone"), required=False)
    email = forms.BooleanField(label=gettext_lazy("E-mail to my account's e-mail address"), required=False)


@applicant_page
def message_settings(request: HttpRequest) -> HttpResponse:
    """Show and change which channels carry the messages about the user's cases."""
    user = signed_in_user(request)
    preference = preference_of(user)
    if request.method == "POST":
        form = PreferenceForm(request.POST)
        if form.is_valid():
            preference_set(user=user, sms=form.cleaned_data["sms"], email=form.cleaned_data["email"])
            messages.success(request, _("Your message settings are saved."))
            return redirect("portal:message_settings", permanent=False)
    else:
        form = PreferenceForm(initial={"sms": preference.sms, "email": preference.email})
    return render(request, "portal/message_settings.html", {"form": form, "has_email": bool(user.email)})
