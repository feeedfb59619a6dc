"""Loading the demo: catalog, accounts. Idempotent: running it twice changes nothing twice."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from lianban.accounts.models import Role, User
from lianban.catalog.models import Department
from lianban.catalog.selectors import catalog_snapshot
from lianban.catalog.services import CatalogFile, catalog_import
from lianban.core.catalog_format import check_files

CATALOG_DIR = Path(__file__).resolve().parent / "catalog"
DEMO_PASSWORD = "lianban-demo"  # noqa: S105 - printed on screen, for the local demo only


@dataclass(frozen=True, slots=True)
class DemoAccount:
    """One demo login."""

    username: str
    role: str
    display_name: str
    department: str | None = None


DEMO_ACCOUNTS = (
    DemoAccount("applicant", Role.APPLICANT, "张三（申请人）"),
    DemoAccount("clerk", Role.CLERK, "李四（综合窗口）", "SCJG"),
    DemoAccount("reviewer", Role.REVIEWER, "王五（市场监管局审批员）", "SCJG"),
    DemoAccount("supervisor", Role.SUPERVISOR, "赵六（督办）"),
    DemoAccount("admin", Role.ADMIN, "钱七（目录管理员）"),
    DemoAccount("security", Role.SECURITY, "孙八（安全管理员）"),
)


def demo_catalog_files() -> list[CatalogFile]:
    """The demo catalog files, in import order."""
    return [CatalogFile(name=p.name, content=p.read_bytes()) for p in sorted(CATALOG_DIR.glob("*.yaml"))]


def _demo_catalog_is_loaded(files: list[CatalogFile]) -> bool:
    """True when importing the demo files would change nothing."""
    current = catalog_snapshot()
    result = check_files(current, [(f.name, f.content) for f in files])
    return not result.problems and result.catalog == current


@transaction.atomic
def demo_load() -> list[DemoAccount]:
    """Import the demo catalog (unless already there, unchanged) and create or reset one account per role."""
    files = demo_catalog_files()
    if not _demo_catalog_is_loaded(files):
        catalog_import(files=files)
    for account in DEMO_ACCOUNTS:
        department = Department.objects.get(code=account.department) if account.department else None
        user, _ = User.objects.get_or_create(username=account.username)
        user.role = account.role
        user.display_name = account.display_name
        user.department = department
        user.is_staff = account.role in (Role.ADMIN, Role.SECURITY)
        user.is_superuser = False  # no demo login holds every right: each has its role's
        user.set_password(DEMO_PASSWORD)
        user.save()
    return list(DEMO_ACCOUNTS)
