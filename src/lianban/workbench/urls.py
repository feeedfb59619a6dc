"""Workbench URLs (mounted at ``/work/``). The header links use the ``*_queue``, ``supervision`` and ``catalog_files`` names."""

from django.urls import URLPattern, URLResolver, path

from lianban.workbench.views import (
    catalog_files,
    department,
    files,
    home,
    message_settings,
    orders,
    statistics,
    supervision,
    window,
)

app_name = "workbench"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", home.home, name="home"),
    # the window workbench
    path("window/", window.queue, name="window_queue"),
    path("window/issuance/", window.issuance, name="issuance_queue"),
    path("cases/<int:case_id>/", window.case, name="case"),
    path("cases/<int:case_id>/checks/", window.checks, name="case_checks"),
    path("cases/<int:case_id>/accept/", window.accept, name="case_accept"),
    path("cases/<int:case_id>/correction/", window.correction, name="case_correction"),
    path("cases/<int:case_id>/refuse/", window.refuse, name="case_refuse"),
    path("cases/<int:case_id>/identity/confirm/", window.identity_confirm, name="case_identity_confirm"),
    path("cases/<int:case_id>/identity/refuse/", window.identity_refuse, name="case_identity_refuse"),
    path("cases/<int:case_id>/pay/", window.pay, name="case_pay"),
    path("cases/<int:case_id>/issue/", window.issue, name="case_issue"),
    path("cases/<int:case_id>/receipt.pdf", window.receipt, name="case_receipt"),
    path("cases/<int:case_id>/notices/<int:number>.pdf", window.notice, name="case_notice"),
    path("cases/<int:case_id>/materials/<str:code>/file", files.material_file, name="material_file"),
    # the department workbench
    path("department/", department.queue, name="department_queue"),
    path("department/items/<int:item_id>/", department.item, name="item"),
    path("department/items/<int:item_id>/take/", department.take, name="item_take"),
    path("department/items/<int:item_id>/supplement/", department.supplement, name="item_supplement"),
    path("department/items/<int:item_id>/approve/", department.approve, name="item_approve"),
    path("department/items/<int:item_id>/reject/", department.reject, name="item_reject"),
    path("department/items/<int:item_id>/document", files.result_document, name="item_document"),
    path(
        "department/items/<int:item_id>/supplements/<int:supplement_id>/file",
        files.supplement_file,
        name="supplement_file",
    ),
    # supervision and the catalog files
    path("supervision/", supervision.overview, name="supervision"),
    path("statistics/", statistics.dashboard, name="statistics"),
    path("statistics/cases/", statistics.cases, name="statistics_cases"),
    path("statistics/exports/", statistics.export_new, name="statistics_export_new"),
    path("statistics/bulletin.pdf", statistics.bulletin_pdf, name="statistics_bulletin_pdf"),
    path("statistics/bulletin/export/", statistics.bulletin_export, name="statistics_bulletin_export"),
    path("statistics/exports/<int:export_id>/", statistics.export_page, name="statistics_export"),
    path("statistics/exports/<int:export_id>/file", statistics.export_file, name="statistics_export_file"),
    path("orders/", orders.order_list, name="orders"),
    path("orders/new/", orders.order_new, name="order_new"),
    path("orders/<int:order_id>/", orders.order, name="order"),
    path("orders/<int:order_id>/sign/", orders.sign, name="order_sign"),
    path("orders/<int:order_id>/reply/", orders.reply, name="order_reply"),
    path("orders/<int:order_id>/review/", orders.review, name="order_review"),
    path("messages/", message_settings.message_settings, name="message_settings"),
    path("catalog/", catalog_files.files, name="catalog_files"),
    path("catalog/export/", catalog_files.export, name="catalog_export"),
]
