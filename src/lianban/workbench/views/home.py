"""``/work/``: each staff role goes to its own workbench."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from lianban.accounts.models import Role
from lianban.workbench.views.common import roles_required, see_other

START: dict[str, str] = {
    Role.CLERK: "workbench:window_queue",
    Role.REVIEWER: "workbench:department_queue",
    Role.SUPERVISOR: "workbench:supervision",
    Role.ADMIN: "workbench:catalog_files",
    Role.SECURITY: "admin:accounts_user_changelist",
}


@require_GET
@roles_required()
def home(request: HttpRequest) -> HttpResponse:
    """Redirect to the workbench of the user's role (applicants to the services)."""
    name = START.get(str(getattr(request.user, "role", "")), "portal:home")
    response = see_other(reverse(name))
    response.status_code = 302
    return response
