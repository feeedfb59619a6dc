"""Navigation per role, the login page, the layout's accessibility basics."""

from __future__ import annotations

import re

from django.contrib.auth.models import AnonymousUser
from django.utils import translation

import pytest

from lianban.accounts.models import Role, User
from lianban.catalog.models import Department
from lianban.portal.nav import NAV_LINKS, NavLink, nav_for

pytestmark = pytest.mark.django_db


def labels(user, path="/"):
    return [str(entry.label) for entry in nav_for(user, path)]


def make(role, **extra):
    department = Department.objects.get_or_create(code="SCJG", defaults={"name": "市场监督管理局"})[0]
    needs_department = role in (Role.CLERK, Role.REVIEWER)
    return User.objects.create_user(
        f"u-{role.lower()}", role=role, department=department if needs_department else None, **extra
    )


def test_everyone_sees_the_services_and_tracking_links():
    with translation.override("zh-hans"):
        assert labels(AnonymousUser()) == ["办事服务", "办件查询"]


def test_an_applicant_sees_my_cases_my_licences_and_message_settings():
    user = make(Role.APPLICANT)
    assert [e.url for e in nav_for(user, "/")] == ["/", "/track/", "/my/cases/", "/my/licences/", "/my/messages/"]


def test_links_of_pages_that_do_not_exist_yet_are_left_out(monkeypatch):
    # A page added later (a URL name that does not resolve yet) must not give a dead link.
    later = NavLink("portal:not_built_yet", "later")
    monkeypatch.setattr("lianban.portal.nav.NAV_LINKS", (*NAV_LINKS, later))
    user = make(Role.APPLICANT)
    assert "later" not in labels(user)
    assert labels(user)[0] == str(NAV_LINKS[0].label)


def test_role_links_are_filtered_by_role(monkeypatch):
    resolved = {link.url_name: f"/{link.url_name.split(':')[1]}/" for link in NAV_LINKS}
    monkeypatch.setattr("lianban.portal.nav.reverse", lambda name: "/" if name == "portal:home" else resolved[name])
    by_role = {role: [e.url for e in nav_for(make(role), "/")] for role in Role}
    assert by_role[Role.APPLICANT] == ["/", "/track/", "/my_cases/", "/my_licences/", "/message_settings/"]
    assert by_role[Role.CLERK] == ["/", "/track/", "/window_queue/", "/tickets/", "/statistics/", "/message_settings/"]
    assert by_role[Role.REVIEWER] == [
        "/",
        "/track/",
        "/department_queue/",
        "/orders/",
        "/tickets/",
        "/statistics/",
        "/message_settings/",
    ]
    assert by_role[Role.SUPERVISOR] == [
        "/",
        "/track/",
        "/supervision/",
        "/orders/",
        "/tickets/",
        "/statistics/",
        "/message_settings/",
    ]
    assert by_role[Role.ADMIN] == ["/", "/track/", "/catalog_files/"]


def test_the_admin_link_is_for_staff(client):
    admin = make(Role.ADMIN, is_staff=True)
    assert "/admin/" in [e.url for e in nav_for(admin, "/")]
    client.force_login(admin)
    body = client.get("/").content.decode()
    assert 'href="/admin/"' in body and "目录管理" in body


def test_the_current_page_is_marked():
    user = make(Role.APPLICANT)
    home, track, *_rest = nav_for(user, "/")
    assert home.current and not track.current
    assert not nav_for(user, "/guide/KJD/")[0].current
    assert [e.current for e in nav_for(user, "/my/cases/12/")] == [False, False, True, False, False]


def test_the_layout_has_a_skip_link_a_main_landmark_and_local_assets(client, db):
    body = client.get("/").content.decode()
    assert '<a class="skip-link" href="#main">跳到正文</a>' in body
    assert '<main id="main"' in body
    assert '<html lang="zh-hans">' in body
    assert 'href="/static/portal/lianban.css"' in body and 'src="/static/portal/lianban.js" defer' in body
    for remote in ("http://", "https://", "//cdn", "googleapis"):
        assert f'src="{remote}' not in body and f'href="{remote}' not in body


def test_the_static_assets_are_served_by_the_platform(client):
    for path in ("/static/portal/lianban.css", "/static/portal/lianban.js", "/static/portal/favicon.svg"):
        response = client.get(path)
        assert response.status_code == 200, path
        content = b"".join(response.streaming_content) if response.streaming else response.content
        assert not re.search(rb"""(?:src=|href=|url\(|@import)\s*["']?(?:https?:)?//""", content), path


def test_the_login_page_is_chinese_and_labels_its_fields(client, db):
    response = client.get("/accounts/login/?next=/guide/KJD/")
    body = response.content.decode()
    assert response.status_code == 200
    assert '<h1 id="login-title">登录</h1>' in body
    assert '<label for="id_username">用户名或手机号</label>' in body and '<label for="id_password">密码</label>' in body
    assert 'name="next" value="/guide/KJD/"' in body
    assert "请登录后继续。" in body


def test_logging_in_goes_back_and_shows_the_user_and_role(client, db):
    User.objects.create_user("zhang", password="pw-123456", display_name="张三", role=Role.APPLICANT)
    response = client.post("/accounts/login/", {"username": "zhang", "password": "pw-123456", "next": "/"}, follow=True)
    body = response.content.decode()
    assert '<span class="who">张三<span class="role"> · 申请人</span></span>' in body
    assert '<button type="submit" class="link-button">退出登录</button>' in body


def test_a_wrong_password_is_reported_in_chinese(client, db):
    User.objects.create_user("zhang", password="pw-123456")
    response = client.post("/accounts/login/", {"username": "zhang", "password": "wrong"})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in body and "请输入一个正确的" in body


def test_logging_out_is_a_post_form(client, db):
    client.force_login(User.objects.create_user("zhang"))
    body = client.get("/").content.decode()
    assert '<form method="post" action="/accounts/logout/">' in body
