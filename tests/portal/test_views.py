"""Portal pages through the Django test client: home, search, the guide."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from lianban.accounts.models import Role, User
from lianban.catalog.planning import plan_document

pytestmark = pytest.mark.django_db

KJD = "/guide/KJD/"
KJD_ANSWERS = {"area": "600", "central_ac": "true", "has_catering": "true"}


def text(response) -> str:
    return response.content.decode()


class TestHome:
    def test_lists_the_one_things_grouped_by_applicant(self, client, extra_catalog):
        body = text(client.get("/"))
        assert "企业办事" in body and "个人办事" in body
        assert body.index("企业办事") < body.index("我要开饭馆") < body.index("个人办事") < body.index("我要迁户口")
        assert 'href="/guide/KJD/"' in body
        assert "10 个事项，一次申报" in body

    def test_a_group_without_things_is_left_out(self, client, demo_catalog):
        body = text(client.get("/"))
        assert "企业办事" in body and "个人办事" not in body

    def test_an_empty_catalog_says_so(self, client, db):
        assert "事项目录为空" in text(client.get("/"))

    def test_has_a_labelled_search_box(self, client, demo_catalog):
        body = text(client.get("/"))
        assert '<label for="search-q"' in body and 'id="search-q" name="q"' in body
        assert 'action="/search/"' in body


class TestSearch:
    @pytest.mark.parametrize(
        ("query", "name"), [("开个小饭店", "我要开饭馆"), ("开民宿", "我要开酒店、宾馆"), ("卖药", "我要开药店")]
    )
    def test_finds_the_thing_first(self, client, demo_catalog, query, name):
        response = client.get("/search/", {"q": query})
        assert response.status_code == 200
        results = response.context["results"]
        assert results[0].thing.name == name
        assert f"“{query}”的搜索结果" in text(response)

    def test_says_why_a_result_matched(self, client, demo_catalog):
        body = text(client.get("/search/", {"q": "户外广告"}))
        assert "包含事项：户外广告设置审批" in body

    def test_nothing_found_offers_the_full_list(self, client, demo_catalog):
        response = client.get("/search/", {"q": "航天飞机"})
        assert response.context["results"] == []
        assert "没有找到匹配的事项" in text(response)
        assert "我要开药店" in text(response)

    def test_an_empty_query_shows_the_list(self, client, demo_catalog):
        response = client.get("/search/", {"q": "  "})
        assert response.status_code == 200
        assert "搜索结果" not in text(response) and "我要开饭馆" in text(response)

    def test_the_index_follows_catalog_changes(self, client, demo_catalog):
        assert client.get("/search/", {"q": "迁户口"}).context["results"] == []
        from lianban.catalog.services import CatalogFile, catalog_import

        from .conftest import EXTRA_CATALOG

        catalog_import(files=[CatalogFile("extra.yaml", EXTRA_CATALOG.encode())])
        results = client.get("/search/", {"q": "迁户口"}).context["results"]
        assert [r.thing.code for r in results][:1] == ["PT-MOVE"]


class TestGuideQuestions:
    def test_first_visit_asks_the_questions_and_shows_no_menu(self, client, demo_catalog):
        response = client.get(KJD)
        assert response.status_code == 200
        body = text(response)
        assert response.context["menu"] is None
        assert '<label for="q-area"><span>经营场所建筑面积(平方米)</span>' in body
        assert (
            'type="number" id="q-area" name="area" value="" step="any" inputmode="decimal" min="0" '
            'required aria-required="true"'
        ) in body
        assert '<legend><span>是否使用集中空调通风系统</span><span class="req"' in body
        assert 'id="q-central_ac-0" name="central_ac" value="true" required' in body
        assert '<form method="get" action="/guide/KJD/"' in body
        assert "您的定制清单" not in body

    def test_every_input_has_a_label(self, client, extra_catalog):
        body = text(client.get("/guide/PT-MOVE/"))
        import re

        ids = re.findall(r'<(?:input|select)[^>]* id="([^"]+)"', body)
        assert ids
        for input_id in ids:
            assert f'for="{input_id}"' in body, input_id

    def test_choice_text_and_optional_questions_render(self, client, extra_catalog):
        body = text(client.get("/guide/PT-MOVE/"))
        assert 'name="reason" value="购房" required' in body
        assert 'type="text" id="q-note" name="note" value="" maxlength="500">' in body
        assert 'name="renting" value="true">' in body  # optional: no "required"
        assert "0 至 10" in body

    def test_a_thing_without_questions_shows_its_menu_at_once(self, client, extra_catalog):
        response = client.get("/guide/PT-PLAIN/")
        assert response.status_code == 200
        assert response.context["menu"] is not None
        assert "本事项无需回答问题" in text(response)

    def test_an_unknown_thing_is_404_in_chinese(self, client, demo_catalog):
        response = client.get("/guide/NOPE/")
        assert response.status_code == 404
        assert "页面不存在" in text(response)


class TestGuideErrors:
    def test_missing_answers_are_named_next_to_their_question(self, client, demo_catalog):
        response = client.get(KJD, {"area": "", "central_ac": "true"})
        assert response.status_code == 400
        fields = {f.key: f.errors for f in response.context["fields"]}
        assert fields == {
            "area": ["请回答「经营场所建筑面积(平方米)」。"],
            "central_ac": [],
            "has_catering": ["请回答「是否同时经营餐饮(含早餐)」。"],
        }
        body = text(response)
        assert '<p class="field-error" id="q-area-error">请回答「经营场所建筑面积(平方米)」。</p>' in body
        assert 'aria-describedby="q-area-hint q-area-error"' in body
        assert 'aria-invalid="true"' in body
        assert '<a href="#q-has_catering-0">' in body  # the summary links to the question
        assert response.context["menu"] is None

    def test_an_answer_out_of_range_is_the_planners_error(self, client, demo_catalog):
        response = client.get(KJD, {**KJD_ANSWERS, "area": "-5"})
        assert response.status_code == 400
        assert "「经营场所建筑面积(平方米)」不能小于 0。" in text(response)
        assert 'value="-5"' in text(response)  # what was typed is kept

    def test_text_that_is_not_a_number_is_an_error_and_other_problems_still_show(self, client, demo_catalog):
        response = client.get(KJD, {"area": "很大", "central_ac": "true"})
        errors = {f.key: f.errors for f in response.context["fields"]}
        assert errors["area"] == ["「经营场所建筑面积(平方米)」须填写数字。"]
        assert errors["has_catering"] == ["请回答「是否同时经营餐饮(含早餐)」。"]

    def test_an_unknown_choice_is_an_error(self, client, extra_catalog):
        response = client.get("/guide/PT-MOVE/", {"reason": "旅游", "people": "1"})
        assert response.status_code == 400
        assert "「迁移原因」：请从选项中选择一项。" in text(response)


class TestGuideMenu:
    @pytest.fixture
    def response(self, client, demo_catalog):
        return client.get(KJD, KJD_ANSWERS)

    def test_shows_the_menu_for_the_answers(self, response):
        assert response.status_code == 200
        menu = response.context["menu"]
        plan = plan_document("KJD", {"area": 600, "central_ac": True, "has_catering": True})
        assert [[i.code for i in s.items] for s in menu.stages] == plan["stages"]
        body = text(response)
        for words in (
            "第 5 阶段",
            "特殊建设工程消防设计审查",
            "由「公司设立登记」（市场监督管理局）办结后产生，无需提交",
        ):
            assert words in body
        assert 'value="600"' in body and 'value="true" checked' in body  # answers stay in the form

    def test_shows_the_five_reductions_table(self, response):
        body = text(response)
        plan = plan_document("KJD", {"area": 600, "central_ac": True, "has_catering": True})
        for key, before in plan["reductions"]["before"].items():
            after = plan["reductions"]["after"][key]
            assert f'<tr data-key="{key}">' in body
            assert f"<td data-before>{before}</td>" in body and f"<td data-after>{after}</td>" in body

    def test_shows_the_thresholds(self, response):
        body = text(response)
        assert "≥ 500" in body and "300 ≤ x &lt; 500" in body
        assert "增加事项：其他建设工程消防验收备案" in body

    def test_the_apply_button_goes_to_the_apply_page_with_the_answers(self, response):
        parts = urlsplit(response.context["apply_url"])
        assert parts.path == "/apply/KJD/"
        assert parse_qs(parts.query) == {"area": ["600"], "central_ac": ["true"], "has_catering": ["true"]}
        assert "立即申报" in text(response)

    def test_an_anonymous_user_logs_in_first_and_comes_back_to_apply(self, client, response):
        answer = client.get(response.context["apply_url"])
        parts = urlsplit(answer["Location"])
        assert answer.status_code == 302 and parts.path == "/accounts/login/"
        back = parse_qs(parts.query)["next"][0]
        assert back.startswith("/apply/KJD/?") and "area=600" in back

    def test_a_logged_in_applicant_goes_straight_to_apply(self, client, demo_catalog):
        client.force_login(User.objects.create_user("zhang", role=Role.APPLICANT))
        response = client.get(KJD, KJD_ANSWERS)
        assert response.context["apply_url"].startswith("/apply/KJD/?")
        assert client.get(response.context["apply_url"]).status_code == 200

    def test_the_menu_without_catering_or_central_ac_drops_their_items_and_materials(self, client, demo_catalog):
        response = client.get(KJD, {"area": "200", "central_ac": "false", "has_catering": "false"})
        menu = response.context["menu"]
        codes = {i.code for i in menu.items}
        assert "SCJG-SPJY" not in codes and "ZJ-XFSJ" not in codes
        assert "JZKT" not in {m.code for m in menu.to_submit}
