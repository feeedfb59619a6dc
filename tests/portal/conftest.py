"""Fixtures for the portal's page tests (Django test client)."""

from __future__ import annotations

import pytest

from lianban.catalog.services import CatalogFile, catalog_import
from lianban.demo.services import demo_catalog_files

#: A small catalog exercising every question type, an optional question, a person thing and a thing without questions.
#: Codes are unique to it (planning caches compiled things by code and catalog revision).
EXTRA_CATALOG = """
format: lianban-catalog/1
departments:
  - {code: PT-GA, name: 公安局}
  - {code: PT-MZ, name: 民政局}
materials:
  - {code: PT-SFZ, name: 居民身份证, source: licence}
  - {code: PT-SQB, name: 申请表, source: applicant}
  - {code: PT-ZM, name: 证明材料, source: applicant}
fields:
  - {key: name, label: 姓名, prefill: applicant.name}
  - {key: id_no, label: 公民身份号码, type: id_number, prefill: applicant.id_number}
items:
  - code: PT-A
    name: 户口迁移登记
    department: PT-GA
    legal_days: 5
    promised_days: 2
    materials:
      - {material: PT-SFZ}
      - {material: PT-SQB, tolerable: true}
      - {material: PT-ZM, required: false, when: 'reason in ["工作", "投靠"]'}
    fields: [name, id_no]
  - code: PT-B
    name: 居住登记
    department: PT-MZ
    legal_days: 3
    online: false
    materials:
      - {material: PT-SFZ}
    fields: [name, address]
things:
  - code: PT-MOVE
    name: 我要迁户口
    subject: person
    lead_department: PT-GA
    questions:
      - {key: reason, text: 迁移原因, type: choice, options: [工作, 投靠, 购房, 其他]}
      - {key: people, text: 随迁人数, type: number, min: 0, max: 10}
      - {key: note, text: 备注, type: text, required: false}
      - {key: renting, text: 是否租房, type: boolean, required: false}
    items:
      - {item: PT-A}
      - {item: PT-B, when: "renting == true or people > 3", after: [PT-A]}
  - code: PT-PLAIN
    name: 我要办居住登记
    subject: person
    lead_department: PT-MZ
    items:
      - {item: PT-B}
"""


@pytest.fixture
def demo_catalog(db):
    """The three demo scenarios (KFG, KJD, KYD)."""
    catalog_import(files=demo_catalog_files())


@pytest.fixture
def extra_catalog(db):
    """The demo scenarios plus :data:`EXTRA_CATALOG` (person things, every question type)."""
    catalog_import(files=[*demo_catalog_files(), CatalogFile("extra.yaml", EXTRA_CATALOG.encode())])
