"""Fill PostgreSQL with a city's worth of consistent cases, fast: templates through the services, copies in SQL.

1. The demo catalog (with the lifecycle benchmark's fees), the staff, and
   :data:`journeys.THINGS` × :data:`journeys.STOPS` template cases driven
   through the real services (real frozen plans, events, checks, licences,
   bills, notifications, files);
2. applicants and their users in bulk (``INSERT … SELECT generate_series``):
   one applicant per four cases, plus one applicant with up to 1,000 cases
   (``HEAVY_CASES``, the "my cases" page of a busy agent);
3. ``cases`` copies: copy ``g`` (0 … cases − 1) repeats template
   ``pattern[g % PERIOD]`` (the pattern interleaves the templates by weight).
   Every row the services wrote for the template (:data:`CLONED`) is copied
   with one ``INSERT … SELECT`` per table: ids are allocated by arithmetic
   (base + period × rows per period + prefix + rank of the row in its
   template), foreign keys into the copied tables remapped the same way,
   applicant and submitter replaced by the copy's own, timestamps and dates
   moved back by ``g × SPAN / cases`` (the copies spread over two weeks),
   tracking codes and licence numbers made unique. Catalog, staff and other
   references are kept.

Not copied: idempotency keys and task-queue rows (bookkeeping of the requests
that made the templates, not case data). The copies' events keep the
template's JSON (ids inside ``before``/``after`` are the template's).

A marker table (``bench_scale_fill``: fill version, cases) lets a rerun reuse a fill.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import connection, models

from lianban.accounts.models import Applicant, ApplicantMember, User
from lianban.cases.models import Case, CaseEvent, CaseMaterial, ItemCase, Notification
from lianban.catalog import selectors as catalog_selectors
from lianban.common.fields import digest_of
from lianban.intake.models import IntakeRound, MaterialCheck
from lianban.issuance.models import Bill, BillLine, Issuance, Payment
from lianban.licences.models import Licence
from lianban.review.models import SupplementRequest
from lianban.statistics import cells as statistics_cells
from lianban.statistics.models import EVENTS, CaseFact, ItemFact, Watermark

#: Change when what a fill contains changes: older fills are then rebuilt, not reused.
FILL_VERSION = 6  # (the month cells: migration statistics/0007 sums them on a reused fill) 6: templates swept before the copy (Case.sweep_on), facts with 预计; 5: fact rows copied too; 4: plans of schema 2; 3: applicants encrypted at rest; 2: timestamps spread over SPAN (1 left them all at fill time)
MARKER = "bench_scale_fill"
#: How far back the copies reach (the newest is now, the oldest SPAN ago).
SPAN = timedelta(days=14)
HEAVY_CASES = 1000
CASES_PER_APPLICANT = 4
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

#: The tables copied per case, in insert order, with the lookup from each to its case.
CLONED: list[tuple[type[models.Model], str]] = [
    (Case, "pk__in"),
    (ItemCase, "case__in"),
    (Licence, "item_case__case__in"),
    (CaseMaterial, "case__in"),
    (IntakeRound, "case__in"),
    (MaterialCheck, "round__case__in"),
    (CaseEvent, "case__in"),
    (Notification, "case__in"),
    (Bill, "case__in"),
    (BillLine, "bill__case__in"),
    (Payment, "bill__case__in"),
    (Issuance, "case__in"),
    (SupplementRequest, "item_case__case__in"),
    # the statistics' fact rows (primary key = their case / item case), as facts_refresh built them for the template
    (CaseFact, "case__in"),
    (ItemFact, "case__in"),
]


@dataclass(frozen=True)
class Template:
    """One template case and its weight in the mix."""

    case_id: int
    thing: str
    stop: str
    weight: int


def log_print(message: str) -> None:
    """Default progress log."""
    print(f"  [fill] {message}", flush=True)


# ------------------------------------------------------------------ marker


def fill_info() -> dict[str, Any] | None:
    """The marker of the fill in this database (version, cases, …), or None when there is none."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [MARKER])
        if not cursor.fetchone()[0]:
            return None
        cursor.execute(f"SELECT info FROM {MARKER} ORDER BY filled_at DESC LIMIT 1")  # noqa: S608
        row = cursor.fetchone()
    if row is None:
        return None
    info = row[0]
    return info if isinstance(info, dict) else json.loads(info)


def _marker_write(info: dict[str, Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {MARKER} (filled_at timestamptz NOT NULL, info jsonb NOT NULL)")
        cursor.execute(f"INSERT INTO {MARKER} (filled_at, info) VALUES (now(), %s)", [json.dumps(info)])  # noqa: S608


# ------------------------------------------------------------------ the fill


def pattern(weights: list[int]) -> list[int]:
    """Template indexes interleaved by weight: each template's slots spread evenly over the period."""
    slots = [((i + 0.5) / w, t) for t, w in enumerate(weights) for i in range(w)]
    return [t for _, t in sorted(slots)]


def fill(cases: int, *, log: Callable[[str], None] = log_print) -> dict[str, Any]:
    """Fill this (migrated, empty) PostgreSQL database with ``cases`` copies of the templates; the marker info."""
    from bench.lifecycle.hotel import catalog_load
    from bench.scale import journeys

    if connection.vendor != "postgresql":
        raise RuntimeError("the scale fill is PostgreSQL SQL")
    started = time.perf_counter()
    catalog_load()
    catalog_selectors._compiled.clear()
    staff = journeys.staff_create()
    staff.agent.set_password("scale")
    staff.agent.save(update_fields=["password"])
    templates: list[Template] = []
    for thing, answers, thing_weight in journeys.THINGS:
        for stop, stop_weight in journeys.STOPS:
            case = journeys.template_case(staff, number=len(templates), thing=thing, answers=answers, stop=stop)
            templates.append(Template(case.pk, thing, stop, thing_weight * stop_weight))
    log(f"{len(templates)} template cases through the services in {time.perf_counter() - started:.1f} s")
    from lianban.statistics import services as statistics_services
    from lianban.supervision.services import deadline_sweep

    deadline_sweep()  # the templates' next sweep days (Case.sweep_on), moved back with the copies' dates
    statistics_services.facts_rebuild()  # the templates' fact rows, copied with them
    info = _copy(templates, cases, staff.agent, log=log)
    info.update(
        {
            "version": FILL_VERSION,
            "cases_copied": cases,
            "templates": [t.__dict__ for t in templates],
            "staff": {
                "clerk": staff.clerk.username,
                "supervisor": staff.supervisor.username,
                "reviewers": {code: u.username for code, u in staff.reviewers.items()},
                "agent": staff.agent.username,
            },
            "seconds": round(time.perf_counter() - started, 1),
        }
    )
    _marker_write(info)
    log(f"done in {info['seconds']} s")
    return info


def _tracking_code_sql(g: str) -> str:
    """A unique, random-looking 12-character code for copy ``g``: 'BZ' + 50 scrambled bits in base32."""
    x = f"((({g} + 1) * 2654435761::bigint) & 1125899906842623)"  # odd multiplier: a bijection mod 2**50
    chars = [f"substr('{ALPHABET}', ((({x} >> {5 * i}) & 31) + 1)::int, 1)" for i in range(9, -1, -1)]
    return "'BZ' || " + " || ".join(chars)


def _copy(templates: list[Template], cases: int, password_user: User, *, log: Callable[[str], None]) -> dict[str, Any]:
    period_pattern = pattern([t.weight for t in templates])
    case_ids = [t.case_id for t in templates]
    ranks: dict[str, dict[int, list[int]]] = {}  # table → template → template row ids (sorted)
    for model, lookup in CLONED:
        table = model._meta.db_table
        ranks[table] = {}
        for t, template in enumerate(templates):
            ids = model._default_manager.filter(**{lookup: [template.case_id]}).order_by("pk")
            ranks[table][t] = list(ids.values_list("pk", flat=True))
    applicants = max(cases // CASES_PER_APPLICANT, 1)
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # no per-row FK triggers; checked by the test
        try:
            app_base, user_base = _people(cursor, applicants, password_user)
            layout = _temp_tables(cursor, ranks, period_pattern, cases)
            copied: dict[str, int] = {}
            for model, _lookup in CLONED:
                t0 = time.perf_counter()
                copied[model._meta.db_table] = _copy_table(
                    cursor, model, layout, cases, app_base=app_base, user_base=user_base, applicants=applicants
                )
                log(
                    f"{model._meta.db_table}: {copied[model._meta.db_table]:,} rows in {time.perf_counter() - t0:.1f} s"
                )
            _due_status_catch_up(cursor)
        finally:
            cursor.execute("SET session_replication_role = DEFAULT")
        for model, _lookup in CLONED:
            table = model._meta.db_table
            if model._meta.pk.column != "id":  # the fact tables: keyed by their case / item case
                continue
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT max(id) FROM {table}))",  # noqa: S608
                [table],
            )
        # the facts were copied with the audit trail they were built from: the watermark stands after it
        cursor.execute("SELECT coalesce(max(id), 0) FROM cases_caseevent")
        Watermark.objects.update_or_create(name=EVENTS, defaults={"last_id": cursor.fetchone()[0]})
        for model in (Applicant, User, ApplicantMember):
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT max(id) FROM {table}))",  # noqa: S608
                [table],
            )
    t0 = time.perf_counter()
    written = statistics_cells.rebuild()  # the month cells the dashboards read, summed from the copied fact rows
    log(f"statistics month cells: {written:,} in {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        # VACUUM too, not only ANALYZE: autovacuum does it to a production table after bulk inserts (PostgreSQL
        # 13+ counts inserts), setting the visibility map that index-only scans and the planner's choices rely on;
        # without it a capped count of overdue items read 47,000 heap pages (250 ms) instead of 19 (0.3–4 ms).
        cursor.execute("VACUUM ANALYZE")
    log(f"VACUUM ANALYZE in {time.perf_counter() - t0:.1f} s")
    return {
        "cases": cases + len(case_ids),
        "applicants": applicants + 1,
        "heavy_applicant_id": app_base,
        "heavy_user_id": user_base,
        "applicant_user_base": user_base,
        "period": len(period_pattern),
        "copied": copied,
    }


def _people(cursor: Any, applicants: int, password_user: User) -> tuple[int, int]:
    """``applicants`` + 1 companies (the first is the heavy one) with one user each; their first ids."""
    cursor.execute("SELECT coalesce(max(id), 0) + 1 FROM accounts_applicant")
    app_base = cursor.fetchone()[0]
    cursor.execute("SELECT coalesce(max(id), 0) + 1 FROM accounts_user")
    user_base = cursor.fetchone()[0]
    # Identity numbers and phones are encrypted at rest (SM4) with a lookup digest: made here, row by row.
    id_field, phone_field = Applicant._meta.get_field("id_number"), Applicant._meta.get_field("contact_phone")
    phone = phone_field.get_prep_value("13700000000")
    rows = []
    for i in range(applicants + 1):
        number = f"BZ{i:016d}"
        rows.append(
            (
                app_base + i,
                id_field.get_prep_value(number),
                digest_of(Applicant, "id_number", number),
                f"规模测试企业{i}有限公司",
                phone,
            )
        )
    cursor.executemany(
        """
        INSERT INTO accounts_applicant (id, kind, id_number, id_number_digest, name, contact_name, contact_phone,
                                        address, created_at)
        VALUES (%s, 'enterprise', %s, %s, %s, '王五', %s, '武汉市洪山区', now())
        """,
        rows,
    )
    cursor.execute(
        """
        INSERT INTO accounts_user (id, password, is_superuser, username, first_name, last_name, email, is_staff,
                                   is_active, date_joined, role, department_id, display_name, phone)
        SELECT %s + i, %s, false, 'scale-applicant-' || i, '', '', '', false, true, now(), 'APPLICANT', NULL,
               '规模测试企业' || i, ''
        FROM generate_series(0, %s) i
        """,
        [user_base, password_user.password, applicants],
    )
    cursor.execute(
        """
        INSERT INTO accounts_applicantmember (applicant_id, user_id, created_at)
        SELECT %s + i, %s + i, now() FROM generate_series(0, %s) i
        """,
        [app_base, user_base, applicants],
    )
    return app_base, user_base


def _temp_tables(cursor: Any, ranks: dict[str, dict[int, list[int]]], period_pattern: list[int], n: int) -> Layout:
    """fill_k (the copies), fill_pat (template and per-table prefix of each slot), fill_rank (row ranks)."""
    cursor.execute("DROP TABLE IF EXISTS fill_k, fill_pat, fill_rank")
    cursor.execute("CREATE TEMP TABLE fill_k AS SELECT g::bigint AS g FROM generate_series(0, %s) g", [n - 1])
    tables = list(ranks)
    index = {table: i for i, table in enumerate(tables)}
    columns = ", ".join(f"pre_{i} bigint" for i in range(len(tables)))
    cursor.execute(f"CREATE TEMP TABLE fill_pat (r int PRIMARY KEY, t int, {columns})")
    prefix = [0] * len(tables)
    rows = []
    for r, t in enumerate(period_pattern):
        rows.append([r, t, *prefix])
        for i, table in enumerate(tables):
            prefix[i] += len(ranks[table][t])
    placeholders = ", ".join(["%s"] * (2 + len(tables)))
    cursor.executemany(f"INSERT INTO fill_pat VALUES ({placeholders})", rows)  # noqa: S608
    cursor.execute("CREATE TEMP TABLE fill_rank (tbl text, t int, old_id bigint, rank bigint)")
    cursor.executemany(
        "INSERT INTO fill_rank VALUES (%s, %s, %s, %s)",
        [
            (table, t, old_id, rank)
            for table in tables
            for t, ids in ranks[table].items()
            for rank, old_id in enumerate(ids)
        ],
    )
    cursor.execute("CREATE INDEX ON fill_rank (tbl, t)")
    cursor.execute("ANALYZE fill_k")
    cursor.execute("ANALYZE fill_pat")
    cursor.execute("ANALYZE fill_rank")
    return Layout(period=len(period_pattern), period_rows=dict(zip(tables, prefix, strict=True)), index=index)


@dataclass
class Layout:
    """Where copies' ids go: rows of each table per period, its column in fill_pat, its first id."""

    period: int
    period_rows: dict[str, int]
    index: dict[str, int]
    bases: dict[str, int] = field(default_factory=dict)

    def new_id(self, table: str, rank: str) -> str:
        """SQL for the id of the copy ``k.g`` of the template row ranked ``rank`` in ``table``."""
        return (
            f"{self.bases[table]} + (k.g / {self.period}) * {self.period_rows[table]}"
            f" + p.pre_{self.index[table]} + {rank}"
        )


def _copy_table(
    cursor: Any,
    model: type[models.Model],
    layout: Layout,
    n: int,
    *,
    app_base: int,
    user_base: int,
    applicants: int,
) -> int:
    """One ``INSERT … SELECT`` copying the template rows of ``model`` into every copy."""
    table = model._meta.db_table
    pk_column = model._meta.pk.column
    cursor.execute(f"SELECT coalesce(max({pk_column}), 0) + 1 FROM {table}")  # noqa: S608
    base = cursor.fetchone()[0]
    layout.bases[table] = base
    step_us = int(SPAN.total_seconds() * 1_000_000 / max(n, 1))
    heavy = f"(k.g % 10 = 3 AND k.g < {HEAVY_CASES * 10})"
    applicant = f"CASE WHEN {heavy} THEN {app_base} ELSE {app_base + 1} + (k.g % {applicants}) END"
    user = f"CASE WHEN {heavy} THEN {user_base} ELSE {user_base + 1} + (k.g % {applicants}) END"

    columns: list[str] = []
    values: list[str] = []
    joins: list[str] = []
    for f in model._meta.concrete_fields:
        column = str(f.column)
        columns.append(column)
        if f.primary_key and not f.is_relation:
            values.append(layout.new_id(table, "rx.rank"))
        elif f.is_relation and f.related_model is not None:
            target = f.related_model._meta.db_table
            if target in layout.index:
                alias = f"r_{column}"
                joins.append(
                    f"LEFT JOIN fill_rank {alias} ON {alias}.tbl = '{target}' AND {alias}.old_id = src.{column}"
                )
                values.append(layout.new_id(target, f"{alias}.rank"))
            elif target == Applicant._meta.db_table:
                values.append(applicant)
            elif model is Case and column == "submitted_by_id":
                values.append(user)
            else:
                values.append(f"src.{column}")
        elif isinstance(f, models.DateTimeField):
            values.append(f"src.{column} - (k.g * {step_us}) * interval '1 microsecond'")
        elif isinstance(f, models.DateField):
            values.append(f"src.{column} - ((k.g * {step_us}) / 86400000000)::int")
        elif model is Case and column == "tracking_code":
            values.append(_tracking_code_sql("k.g"))
        elif (model is Licence and column == "number") or (model is Payment and column == "reference"):
            values.append(f"src.{column} || '-' || k.g")
        else:
            values.append(f"src.{column}")
    sql = f"""
        INSERT INTO {table} ({", ".join(columns)})
        SELECT {", ".join(values)}
        FROM fill_k k
        JOIN fill_pat p ON p.r = k.g % {layout.period}
        JOIN fill_rank rx ON rx.tbl = '{table}' AND rx.t = p.t
        JOIN {table} src ON src.{model._meta.pk.column} = rx.old_id
        {" ".join(joins)}
    """  # noqa: S608
    cursor.execute(sql)
    return int(cursor.rowcount)


def _due_status_catch_up(cursor: Any) -> None:
    """Running items of copies moved into the past whose due date has passed are overdue (as the sweep would say)."""
    cursor.execute(
        """
        UPDATE cases_itemcase SET due_status = 'OVERDUE'
        WHERE state IN ('DISPATCHED', 'IN_REVIEW', 'SUPPLEMENT') AND due_on < current_date
          AND due_status <> 'OVERDUE'
        """
    )
    # and their fact rows, as facts_refresh would build them from that status
    cursor.execute(
        """
        UPDATE statistics_itemfact f SET late = true FROM cases_itemcase i
        WHERE i.id = f.item_case_id AND f.status = 'OPEN' AND i.due_status = 'OVERDUE' AND NOT f.late
        """
    )
    cursor.execute(
        """
        UPDATE statistics_casefact c SET late = true
        WHERE NOT c.late AND EXISTS (SELECT 1 FROM statistics_itemfact f WHERE f.case_id = c.case_id AND f.late)
        """
    )


def fill_problems(info: dict[str, Any]) -> list[str]:
    """What is inconsistent in the fill described by ``info`` (empty when every check holds).

    Rows per copied table equal the template rows times their copies; no
    foreign key of a copied table points nowhere; every case has its item
    cases, an applicant its member, every copy a distinct, valid tracking code,
    and every plan a document of the current schema version that reads back.
    """
    from lianban.core.planner import PLAN_SCHEMA_VERSION, PlanSchemaError
    from lianban.core.tracking import normalise_code

    problems: list[str] = []
    n = info["cases_copied"]
    templates = [t["case_id"] for t in info["templates"]]
    period_pattern = pattern([t["weight"] for t in info["templates"]])
    copies = [0] * len(templates)
    for g in range(n):
        copies[period_pattern[g % len(period_pattern)]] += 1
    with connection.cursor() as cursor:
        for model, lookup in CLONED:
            table = model._meta.db_table
            expected = 0
            for t, case_id in enumerate(templates):
                rows = model._default_manager.filter(**{lookup: [case_id]}).count()
                expected += rows * (1 + copies[t])
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
            actual = cursor.fetchone()[0]
            if actual != expected:
                problems.append(f"{table}: {actual} rows, expected {expected}")
            for f in model._meta.concrete_fields:
                if not f.is_relation or f.related_model is None:
                    continue
                target = f.related_model._meta.db_table
                cursor.execute(
                    f"SELECT count(*) FROM {table} s WHERE s.{f.column} IS NOT NULL"  # noqa: S608
                    f" AND NOT EXISTS (SELECT 1 FROM {target} t WHERE t.id = s.{f.column})"
                )
                orphans = cursor.fetchone()[0]
                if orphans:
                    problems.append(f"{table}.{f.column}: {orphans} rows point to no {target} row")
        checks = {
            "cases without item cases": "SELECT count(*) FROM cases_case c WHERE NOT EXISTS "
            "(SELECT 1 FROM cases_itemcase i WHERE i.case_id = c.id)",
            "item cases of another case's plan": "SELECT count(*) FROM cases_itemcase i JOIN cases_case c "
            "ON c.id = i.case_id WHERE NOT c.plan::text LIKE '%%' || i.item_code || '%%'",
            "applicants without a member": "SELECT count(*) FROM accounts_applicant a WHERE NOT EXISTS "
            "(SELECT 1 FROM accounts_applicantmember m WHERE m.applicant_id = a.id)",
            "licences of another holder than their case's applicant": "SELECT count(*) FROM licences_licence l "
            "JOIN cases_itemcase i ON i.id = l.item_case_id JOIN cases_case c ON c.id = i.case_id "
            "WHERE l.holder_id <> c.applicant_id",
            "notifications to another applicant than their case's": "SELECT count(*) FROM cases_notification n "
            "JOIN cases_case c ON c.id = n.case_id WHERE n.applicant_id <> c.applicant_id",
            "checks of another case's material": "SELECT count(*) FROM intake_materialcheck k "
            "JOIN intake_intakeround r ON r.id = k.round_id JOIN cases_casematerial m ON m.id = k.material_id "
            "WHERE r.case_id <> m.case_id",
            "events of another case's item case": "SELECT count(*) FROM cases_caseevent e "
            "JOIN cases_itemcase i ON i.id = e.item_case_id WHERE i.case_id <> e.case_id",
            "cases without their statistics fact row": "SELECT count(*) FROM cases_case c WHERE NOT EXISTS "
            "(SELECT 1 FROM statistics_casefact f WHERE f.case_id = c.id)",
            "item cases without their fact row": "SELECT count(*) FROM cases_itemcase i WHERE NOT EXISTS "
            "(SELECT 1 FROM statistics_itemfact f WHERE f.item_case_id = i.id)",
            "received item facts the month cells do not count": "SELECT abs((SELECT count(*) FROM statistics_itemfact "
            "WHERE received_on IS NOT NULL) - (SELECT coalesce(sum(n), 0) FROM statistics_factcell "
            "WHERE level = 'I' AND dimension = '' AND department_id > 0 AND kind = 'R'))",
            "received item facts the cells of every department do not count": "SELECT abs((SELECT count(*) FROM "
            "statistics_itemfact WHERE received_on IS NOT NULL) - (SELECT coalesce(sum(n), 0) FROM statistics_factcell "
            "WHERE level = 'I' AND dimension = '' AND department_id = 0 AND kind = 'R'))",
            "duplicate tracking codes": "SELECT count(*) - count(DISTINCT tracking_code) FROM cases_case",
            "plans not of the current schema version": "SELECT count(*) FROM cases_case WHERE "  # noqa: S608
            f"plan_schema_version <> {PLAN_SCHEMA_VERSION} "
            f"OR (plan->>'schema_version')::int IS DISTINCT FROM {PLAN_SCHEMA_VERSION}",
        }
        for what, sql in checks.items():
            cursor.execute(sql)
            count = cursor.fetchone()[0]
            if count:
                problems.append(f"{count} {what}")
        cursor.execute("SELECT tracking_code FROM cases_case")
        bad = [code for (code,) in cursor.fetchall() if normalise_code(code) != code]
        if bad:
            problems.append(f"{len(bad)} invalid tracking codes, e.g. {bad[0]}")
    for case in Case.objects.filter(pk__in=templates).only("id", "plan"):  # the copies hold the same documents
        try:
            case.frozen_plan  # noqa: B018 (read to check)
        except PlanSchemaError as exc:
            problems.append(f"template case {case.pk}: its plan does not read: {exc}")
    return problems
