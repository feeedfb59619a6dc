"""The planning semantics of the contract, one small catalog per rule."""

from __future__ import annotations

import pytest

from lianban.core.catalog import ThingItem
from lianban.core.errors import AnswersInvalid, DependencyCycle
from lianban.core.planner import plan

from .builders import quick, raw_item, raw_thing, run, thing

NUMBER_Q = [{"key": "area", "text": "面积", "type": "number", "min": 0, "max": 10000}]
BOOL_Q = [{"key": "ac", "text": "空调", "type": "boolean"}]


def materials_by_code(p):
    return {m.code: m for m in p.materials}


# ------------------------------------------------------------- 1. included items


class TestIncludedItems:
    def test_items_whose_condition_holds_are_included_in_the_things_order(self):
        text = quick(
            {"A": {}, "B": {}, "C": {}},
            [{"item": "A"}, {"item": "B", "when": "area >= 500"}, {"item": "C", "when": "area < 500"}],
            NUMBER_Q,
        )
        assert [i.code for i in run(text, {"area": 500}).items] == ["A", "B"]
        assert [i.code for i in run(text, {"area": 499.5}).items] == ["A", "C"]

    def test_a_condition_reading_an_unanswered_optional_question_is_false(self):
        text = quick(
            {"A": {}, "B": {}, "C": {}},
            [{"item": "A", "when": "not (area >= 500)"}, {"item": "B", "when": "area < 500"}, {"item": "C"}],
            [{**NUMBER_Q[0], "required": False}],
        )
        assert [i.code for i in run(text, {}).items] == ["C"]

    def test_short_circuit_or_does_not_read_the_unanswered_question(self):
        text = quick(
            {"A": {}},
            [{"item": "A", "when": "ac == true or area > 3"}],
            [BOOL_Q[0], {**NUMBER_Q[0], "required": False}],
        )
        assert [i.code for i in run(text, {"ac": True}).items] == ["A"]
        assert run(text, {"ac": False}).items == ()

    def test_no_item_included_gives_an_empty_plan(self):
        text = quick({"A": {"online": False}}, [{"item": "A", "when": "ac"}], BOOL_Q)
        p = run(text, {"ac": False})
        assert p.stages == () and p.items == () and p.materials == ()
        assert p.serial_days == 0 and p.plan_days == 0
        assert p.reductions["after"]["departments"] == 0
        assert p.reductions["after"]["trips"] == 0


# ------------------------------------------------------------------- 2. ordering


class TestOrdering:
    def test_after_orders_items(self):
        p = run(quick({"A": {}, "B": {}}, [{"item": "B", "after": ["A"]}, {"item": "A"}]))
        assert p.stages == (("A",), ("B",))
        assert next(i for i in p.items if i.code == "B").after == ("A",)

    def test_a_needed_material_orders_its_producer_first(self):
        p = run(quick({"A": {"materials": ["M"]}, "B": {"produces": ["M"]}}, [{"item": "A"}, {"item": "B"}]))
        assert p.stages == (("B",), ("A",))

    def test_an_item_that_needs_what_it_produces_is_not_ordered_after_itself(self):
        p = run(quick({"A": {"materials": ["M"], "produces": ["M"]}}, [{"item": "A"}]))
        assert p.stages == (("A",),)
        assert materials_by_code(p)["M"].provenance == "submit"

    def test_a_need_whose_condition_fails_creates_no_ordering(self):
        text = quick(
            {"A": {"materials": [{"material": "M", "when": "ac"}]}, "B": {"produces": ["M"]}},
            [{"item": "A"}, {"item": "B"}],
            BOOL_Q,
        )
        assert run(text, {"ac": False}).stages == (("A", "B"),)
        assert run(text, {"ac": True}).stages == (("B",), ("A",))

    def test_an_excluded_producer_orders_nothing(self):
        text = quick(
            {"A": {"materials": ["M"]}, "B": {"produces": ["M"]}},
            [{"item": "A"}, {"item": "B", "when": "ac"}],
            BOOL_Q,
        )
        p = run(text, {"ac": False})
        assert p.stages == (("A",),)
        assert materials_by_code(p)["M"].provenance == "submit"

    def test_ordering_passes_through_an_excluded_item(self):
        text = quick(
            {"A": {}, "B": {}, "C": {}},
            [{"item": "A"}, {"item": "B", "when": "ac", "after": ["A"]}, {"item": "C", "after": ["B"]}],
            BOOL_Q,
        )
        p = run(text, {"ac": False})
        assert p.stages == (("A",), ("C",))
        assert next(i for i in p.items if i.code == "C").after == ("A",)

    def test_ordering_passes_through_a_chain_of_excluded_items(self):
        text = quick(
            {"A": {}, "B": {}, "B2": {}, "C": {}},
            [
                {"item": "A"},
                {"item": "B", "when": "ac", "after": ["A"]},
                {"item": "B2", "when": "ac", "after": ["B"]},
                {"item": "C", "after": ["B2"]},
            ],
            BOOL_Q,
        )
        assert run(text, {"ac": False}).stages == (("A",), ("C",))

    def test_an_excluded_item_with_no_predecessors_passes_nothing_on(self):
        text = quick({"A": {}, "B": {}}, [{"item": "A", "when": "ac"}, {"item": "B", "after": ["A"]}], BOOL_Q)
        assert run(text, {"ac": False}).stages == (("B",),)

    def test_a_cycle_among_included_items_is_named_item_by_item(self):
        compiled = raw_thing(
            [raw_item("A", needs=("MB",), produces=("MA",)), raw_item("B", needs=("MA",), produces=("MB",))],
            [ThingItem("A"), ThingItem("B")],
        )
        with pytest.raises(DependencyCycle) as info:
            plan(compiled, {})
        assert set(info.value.cycle) == {"A", "B"}
        assert info.value.cycle[0] == info.value.cycle[-1]
        assert "→" in str(info.value)

    def test_a_three_item_cycle_through_after_names_all_three(self):
        compiled = raw_thing(
            [raw_item("A"), raw_item("B"), raw_item("C"), raw_item("X")],
            [ThingItem("X"), ThingItem("A", after=("C",)), ThingItem("B", after=("A",)), ThingItem("C", after=("B",))],
        )
        with pytest.raises(DependencyCycle) as info:
            plan(compiled, {})
        assert len(info.value.cycle) == 4
        assert set(info.value.cycle) == {"A", "B", "C"}


# --------------------------------------------------------------------- 3. stages


class TestStages:
    def test_stages_are_longest_path_layers(self):
        # A → B → C and A → C: C is in stage 3, not 2
        p = run(
            quick(
                {"A": {}, "B": {}, "C": {}, "D": {}},
                [{"item": "A"}, {"item": "B", "after": ["A"]}, {"item": "C", "after": ["A", "B"]}, {"item": "D"}],
            )
        )
        assert p.stages == (("A", "D"), ("B",), ("C",))
        assert [(i.code, i.stage) for i in p.items] == [("A", 1), ("D", 1), ("B", 2), ("C", 3)]

    def test_items_inside_a_stage_follow_the_things_order(self):
        p = run(quick({"Z": {}, "A": {}, "M": {}}, [{"item": "Z"}, {"item": "A"}, {"item": "M"}]))
        assert p.stages == (("Z", "A", "M"),)
        assert [i.code for i in p.items] == ["Z", "A", "M"]


# ------------------------------------------------------------------ 4. materials


class TestMaterials:
    def test_a_material_needed_by_several_items_is_listed_once_with_every_item(self):
        p = run(quick({"A": {"materials": ["M"]}, "B": {"materials": ["M"]}}, [{"item": "A"}, {"item": "B"}]))
        assert [m.code for m in p.materials] == ["M"]
        assert p.materials[0].needed_by == ("A", "B")

    def test_material_conditions_select_materials(self):
        text = quick({"A": {"materials": ["M", {"material": "N", "when": "ac"}]}}, [{"item": "A"}], BOOL_Q)
        assert [m.code for m in run(text, {"ac": False}).materials] == ["M"]
        assert [m.code for m in run(text, {"ac": True}).materials] == ["M", "N"]

    def test_required_is_true_when_any_item_requires_it(self):
        text = quick(
            {
                "A": {"materials": [{"material": "M", "required": False}, {"material": "N", "required": False}]},
                "B": {"materials": ["M"]},
            },
            [{"item": "A"}, {"item": "B"}],
        )
        by = materials_by_code(run(text))
        assert by["M"].required is True
        assert by["N"].required is False

    def test_produced_by_an_earlier_item_flows_and_is_not_submitted(self):
        p = run(quick({"A": {"produces": ["L"]}, "B": {"materials": ["L"]}}, [{"item": "A"}, {"item": "B"}]))
        m = materials_by_code(p)["L"]
        assert (m.provenance, m.produced_by, m.needed_by) == ("produced", "A", ("B",))

    def test_produced_by_names_the_first_qualifying_producer_in_the_things_order(self):
        p = run(
            quick(
                {"P2": {"produces": ["L"]}, "P1": {"produces": ["L"]}, "B": {"materials": ["L"]}},
                [{"item": "P2"}, {"item": "P1"}, {"item": "B"}],
            )
        )
        assert materials_by_code(p)["L"].produced_by == "P2"

    def test_a_producer_that_also_needs_the_material_does_not_qualify(self):
        # P needs L and produces L (a licence change): L must come from elsewhere
        text = quick(
            {"P": {"materials": ["L"], "produces": ["L"]}, "B": {"materials": ["L"]}},
            [{"item": "P"}, {"item": "B"}],
            materials={"L": "licence"},
        )
        m = materials_by_code(run(text))["L"]
        assert (m.provenance, m.produced_by) == ("submit", None)
        assert materials_by_code(run(text, licences=("L",)))["L"].provenance == "licence"

    def test_a_held_licence_is_taken_from_the_library(self):
        text = quick({"A": {"materials": ["L"]}}, [{"item": "A"}], materials={"L": "licence"})
        assert materials_by_code(run(text, licences=("L",)))["L"].provenance == "licence"

    def test_without_a_known_applicant_nothing_is_licence(self):
        text = quick({"A": {"materials": ["L"]}}, [{"item": "A"}], materials={"L": "licence"})
        assert materials_by_code(run(text))["L"].provenance == "submit"

    def test_an_applicant_document_is_never_licence_even_if_listed(self):
        text = quick({"A": {"materials": ["S"]}}, [{"item": "A"}], materials={"S": "applicant"})
        assert materials_by_code(run(text, licences=("S",)))["S"].provenance == "submit"

    def test_produced_wins_over_the_library(self):
        p = run(
            quick({"A": {"produces": ["L"]}, "B": {"materials": ["L"]}}, [{"item": "A"}, {"item": "B"}]),
            licences=("L",),
        )
        assert materials_by_code(p)["L"].provenance == "produced"

    def test_materials_only_produced_are_not_listed(self):
        p = run(quick({"A": {"produces": ["L"]}}, [{"item": "A"}]))
        assert p.materials == ()


# ---------------------------------------------------------------- 5. form, 6. time


class TestFormAndTime:
    def test_fields_are_the_union_each_once(self):
        p = run(
            quick(
                {"A": {"fields": ["name", "phone"]}, "B": {"fields": ["phone", "area"]}},
                [{"item": "A"}, {"item": "B"}],
            )
        )
        assert sorted(p.fields) == ["area", "name", "phone"]

    def test_serial_days_sum_legal_days_and_plan_days_follow_the_longest_promised_path(self):
        # A(10/2) → B(10/5); C(20/20) parallel; B waits only for A, not for C
        text = quick(
            {
                "A": {"legal_days": 10, "promised_days": 2},
                "B": {"legal_days": 10, "promised_days": 5},
                "C": {"legal_days": 20, "promised_days": 3},
                "D": {"legal_days": 4, "promised_days": 4},
            },
            [{"item": "A"}, {"item": "C"}, {"item": "B", "after": ["A"]}, {"item": "D", "after": ["C"]}],
        )
        p = run(text)
        assert p.serial_days == 44
        assert p.plan_days == 7  # max(A+B = 7, C+D = 7)
        b = next(i for i in p.items if i.code == "B")
        assert (b.start_day, b.finish_day) == (2, 7)

    def test_plan_days_never_exceed_serial_days_with_zero_day_items(self):
        p = run(quick({"A": {"legal_days": 0}, "B": {"legal_days": 0}}, [{"item": "A"}, {"item": "B", "after": ["A"]}]))
        assert (p.serial_days, p.plan_days) == (0, 0)


# ------------------------------------------------------------------ 7. reductions


class TestReductions:
    TEXT = quick(
        {
            "A": {"department": "D", "online": True, "fields": ["n", "p"], "materials": ["M", "L"], "produces": ["X"]},
            "B": {
                "department": "E",
                "online": False,
                "fields": ["p", "q"],
                "materials": ["M", {"material": "O", "required": False}, "X"],
            },
            "C": {"department": "E", "online": False, "materials": ["M"]},
        },
        [{"item": "A"}, {"item": "B"}, {"item": "C"}],
        materials={"L": "licence"},
    )

    def test_every_figure_before_and_after(self):
        p = run(self.TEXT, licences=("L",))
        assert p.reductions["before"] == {
            "departments": 2,
            "trips": 4,  # 2 × non-online items (B, C); A is online
            "forms": 3,
            "fields": 4,
            "materials": 5,  # A: M, L; B: M, X (O optional); C: M
            "days": 30,
        }
        assert p.reductions["after"] == {
            "departments": 1,
            "trips": 1,
            "forms": 1,
            "fields": 3,
            "materials": 1,  # M only: L from the library, X produced, O optional
            "days": 20,
        }

    def test_all_online_means_no_department_visited_and_no_trip(self):
        p = run(quick({"A": {"online": True}, "B": {"online": True}}, [{"item": "A"}, {"item": "B"}]))
        assert p.reductions["before"]["trips"] == 0
        assert p.reductions["after"]["departments"] == 0
        assert p.reductions["after"]["trips"] == 0


# ----------------------------------------------------------------- answers


class TestAnswers:
    QUESTIONS = [
        {"key": "area", "text": "面积", "type": "number", "min": 0, "max": 1000},
        {"key": "ac", "text": "空调", "type": "boolean"},
        {"key": "kind", "text": "类型", "type": "choice", "options": ["hotel", "hostel"]},
        {"key": "note", "text": "备注", "type": "text", "required": False},
    ]
    TEXT = quick({"A": {}}, [{"item": "A"}], QUESTIONS)

    def problems(self, answers):
        with pytest.raises(AnswersInvalid) as info:
            plan(thing(self.TEXT), answers)
        return {p.question: p.message for p in info.value.problems}

    def test_valid_answers_plan(self):
        assert run(self.TEXT, {"area": 10.5, "ac": False, "kind": "hotel"}).items

    def test_a_missing_required_answer_names_the_question(self):
        assert set(self.problems({"area": 1, "kind": "hotel"})) == {"ac"}

    def test_a_null_required_answer_is_missing(self):
        assert "Please answer" in self.problems({"area": 1, "ac": None, "kind": "hotel"})["ac"]

    def test_an_optional_question_may_be_left_out_or_null(self):
        assert run(self.TEXT, {"area": 1, "ac": True, "kind": "hotel", "note": None}).items

    @pytest.mark.parametrize(
        ("answers", "question", "fragment"),
        [
            ({"area": "12"}, "area", "must be a number"),
            ({"area": True}, "area", "must be a number"),
            ({"area": -1}, "area", "must be at least 0"),
            ({"area": 1000.5}, "area", "must be at most"),
            ({"ac": "yes"}, "ac", "choose yes or no"),
            ({"ac": 1}, "ac", "choose yes or no"),
            ({"kind": "motel"}, "kind", "choose one of"),
            ({"kind": 3}, "kind", "choose one of the options"),
            ({"note": 5}, "note", "enter text"),
            ({"colour": "red"}, "colour", "is not a question"),
        ],
    )
    def test_each_bad_answer_names_its_question(self, answers, question, fragment):
        full = {"area": 1, "ac": True, "kind": "hotel", **answers}
        problems = self.problems(full)
        assert list(problems) == [question]
        assert fragment in problems[question]

    def test_each_problem_has_a_stable_kind_for_translation(self):
        with pytest.raises(AnswersInvalid) as info:
            plan(thing(self.TEXT), {"area": 2000, "ac": "x", "kind": "motel", "extra": 1})
        kinds = {p.question: (p.kind, dict(p.params)) for p in info.value.problems}
        assert kinds == {
            "extra": ("unknown-question", {}),
            "area": ("above-maximum", {"value": 2000, "max": 1000}),
            "ac": ("not-a-boolean", {"found": "a string"}),
            "kind": ("unknown-option", {"value": "motel", "options": ("hotel", "hostel")}),
        }

    def test_every_bad_answer_is_reported_at_once(self):
        assert set(self.problems({"area": "x", "ac": 2, "kind": "motel", "extra": 1})) == {
            "area",
            "ac",
            "kind",
            "extra",
        }

    def test_answers_must_be_an_object(self):
        assert "answers" in self.problems([1, 2])  # type: ignore[arg-type]


# ------------------------------------------------------------------ scale


class TestLongChains:
    """No recursion limits and no quadratic steps: thousands of items in a chain plan at once."""

    N = 3000

    def chain(self, excluded_middle: bool):
        items = [raw_item(f"I{i}") for i in range(self.N)]
        entries = [
            ThingItem(
                f"I{i}",
                when="false" if excluded_middle and 0 < i < self.N - 1 else None,
                after=(f"I{i - 1}",) if i else (),
            )
            for i in range(self.N)
        ]
        return raw_thing(items, entries)

    def test_ordering_passes_through_thousands_of_excluded_items(self):
        p = plan(self.chain(excluded_middle=True), {})
        assert p.stages == (("I0",), (f"I{self.N - 1}",))

    def test_a_chain_of_thousands_of_items_has_one_stage_each(self):
        p = plan(self.chain(excluded_middle=False), {})
        assert len(p.stages) == self.N
        assert p.plan_days == self.N

    def test_a_cycle_of_thousands_of_items_is_named(self):
        items = [raw_item(f"I{i}") for i in range(self.N)]
        entries = [ThingItem(f"I{i}", after=(f"I{(i - 1) % self.N}",)) for i in range(self.N)]
        with pytest.raises(DependencyCycle) as info:
            plan(raw_thing(items, entries), {})
        assert len(info.value.cycle) == self.N + 1
