"""The admin speaks Chinese: every section (app) and every model name on its index, the third-party ones too."""

from __future__ import annotations

import re

from django.contrib import admin
from django.test import RequestFactory
from django.utils import translation

import pytest

from lianban.accounts.models import User

pytestmark = pytest.mark.django_db

LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


def test_every_admin_section_and_model_name_is_chinese() -> None:
    user = User(username="everything", is_superuser=True, is_staff=True, is_active=True)
    request = RequestFactory().get("/admin/")
    request.user = user
    with translation.override("zh-hans"):
        app_list = admin.site.get_app_list(request)
        names = [str(app["name"]) for app in app_list]
        names += [str(model["name"]) for app in app_list for model in app["models"]]
    assert len(names) > 20
    assert [name for name in names if LATIN_WORD.search(name)] == []


def test_the_checker_sees_english() -> None:
    assert LATIN_WORD.search("Task Results") and not LATIN_WORD.search("IP 地址")
