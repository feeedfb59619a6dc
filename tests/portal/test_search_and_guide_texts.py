"""The portal with a catalog it has never seen: search by keywords, hints from the catalog, guide texts."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
import yaml

from lianban.catalog.services import CatalogFile, catalog_import
from lianban.demo.services import demo_catalog_files
from tests.conftest import SCENARIOS
from tests.search.queries import EXPECTED, HARD, UNSEEN, first_right

pytestmark = pytest.mark.django_db

SRC = Path(__file__).resolve().parents[2] / "src" / "lianban"


@pytest.fixture
def unseen(db):
    """Only the unseen catalog: 新生儿出生 (person), 我要开诊所, 我要开便利店."""
    catalog_import(files=[CatalogFile(UNSEEN.name, UNSEEN.read_bytes())])


@pytest.fixture
def both(db):
    catalog_import(files=[*demo_catalog_files(), CatalogFile(UNSEEN.name, UNSEEN.read_bytes())])


def page(response) -> str:
    assert response.status_code in (200, 400), response.status_code
    return unescape(response.content.decode())


def test_natural_queries_find_the_right_thing_first_on_the_search_page(client, both):
    first = {}
    for query in {**EXPECTED, **HARD}:
        results = client.get("/search/", {"q": query}).context["results"]
        first[query] = results[0].thing.code if results else None
    assert first_right(first) >= 0.9
    assert {q: first[q] for q in EXPECTED} == EXPECTED


def test_the_search_page_says_why_and_links_the_guide(client, both):
    body = page(client.get("/search/", {"q": "孩子出生了要办什么"}))
    assert "“孩子出生了要办什么”的搜索结果" in body
    assert 'href="/guide/XSECS/"' in body
    assert "匹配：孩子出生" in body


def test_nothing_matched_says_so_and_lists_every_thing(client, both):
    body = page(client.get("/search/", {"q": "航天飞机"}))
    assert "没有找到匹配的事项" in body
    for name in ("新生儿出生", "我要开诊所", "我要开便利店", "我要开饭馆"):
        assert name in body


def test_the_search_hint_takes_its_examples_from_the_catalog(client, unseen):
    body = page(client.get("/"))
    hint = re.search(r'<p id="search-hint" class="hint">(.*?)</p>', body).group(1)
    assert hint == "用您自己的话描述即可，例如：开便利店、开诊所、孩子出生。"
    assert 'placeholder="例如：开便利店"' in body
    for demo_word in ("饭店", "民宿", "卖药", "饭馆"):
        assert demo_word not in body


def test_without_keywords_the_hint_names_no_example(client, db):
    catalog_import(
        files=[
            CatalogFile(
                "bare.yaml",
                b"format: lianban-catalog/1\ndepartments: [{code: D, name: \xe9\x83\xa8\xe9\x97\xa8}]\n"
                b"items: [{code: I, name: i, department: D, legal_days: 1}]\n"
                b"things: [{code: T, name: t, lead_department: D, items: [{item: I}]}]\n",
            )
        ]
    )
    body = page(client.get("/search/"))
    assert "用您自己的话描述即可。" in body and "例如" not in body


def test_the_home_page_groups_things_for_enterprises_and_for_individuals(client, unseen):
    body = page(client.get("/"))
    enterprise, person = body.index('id="group-enterprise"'), body.index('id="group-person"')
    assert enterprise < body.index("我要开便利店") < body.index("我要开诊所") < person < body.index("新生儿出生")
    assert body.count('class="thing-card"') == 3
    # a card shows the thing's summary from the catalog (a thing without one shows none)
    assert '<span class="thing-summary">宝宝出生后需要办理的出生医学证明' in body
    assert body.count('class="thing-summary"') == 1


def test_the_guide_shows_the_summary_the_notes_and_each_items_basis(client, unseen):
    body = page(client.get("/guide/XSECS/"))
    assert "宝宝出生后需要办理的出生医学证明、户口登记、医保参保和预防接种证，一次申请、一次办好。" in body
    notes = body[body.index('id="notes-title"') :]
    assert "办理须知" in notes[:40] and "<li>请在出生后一个月内申报户口。</li>" in notes
    assert "各事项的设定依据" in body
    assert "<dt>出生医学证明签发</dt><dd>《中华人民共和国母婴保健法》</dd>" in body
    assert "<dt>出生户口登记</dt>" not in body  # an item without basis is not listed

    menu = page(client.get("/guide/XSECS/", {"jz": "true"}))
    item = menu[menu.index('data-item="CS-YXZM"') :]
    item = item[: item.index("</li>")]
    assert "设定依据： 《中华人民共和国母婴保健法》" in re.sub(r"<[^>]+>", "", item)


def test_a_thing_without_guide_texts_shows_none_of_their_panels(client, unseen):
    body = page(client.get("/guide/KZS/"))
    assert 'id="notes-title"' not in body and "设定依据" not in body and "guide-summary" not in body


def test_the_demo_guide_shows_the_demo_notes_from_the_catalog(client, both):
    kfg = yaml.safe_load((SCENARIOS / "kfg.yaml").read_text(encoding="utf-8"))["things"][0]
    body = page(client.get("/guide/KFG/"))
    assert kfg["summary"] in body
    for note in kfg["notes"]:
        assert note in body
    # The lease sentence now lives only in the catalog: a thing that does not say it does not show it.
    assert "租约" not in page(client.get("/guide/XSECS/", {"jz": "true"}))


def demo_words() -> set[str]:
    words: set[str] = set()
    for path in SCENARIOS.glob("*.yaml"):
        for thing in yaml.safe_load(path.read_text(encoding="utf-8")).get("things", []):
            words.update((thing["name"], *thing.get("keywords", ()), *thing.get("notes", ())))
            if thing.get("summary"):
                words.add(thing["summary"])
    return words


#: Known leftovers owned by other work (none left).
KNOWN: set[str] = set()


def test_no_code_template_or_translation_outside_the_demo_names_a_demo_thing_keyword_or_note():
    words = demo_words()
    assert {"我要开饭馆", "开民宿", "卖药"} <= words
    found = []
    for path in SRC.rglob("*"):
        if "demo" in path.name or "demo" in path.parts or path.suffix not in (".py", ".html", ".po", ".txt", ".js"):
            continue
        text = path.read_text(encoding="utf-8", errors="ignore")
        found.extend(f"{path.relative_to(SRC)}: {word}" for word in words if word in text)
    assert set(found) - KNOWN == set()
