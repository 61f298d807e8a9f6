"""The model, the address parser and duplicate detection, without the database."""

from __future__ import annotations

import datetime as dt

import pytest

from fengqiao.triage import store
from fengqiao.triage.batch import Appeal, triage_appeals
from fengqiao.triage.places import chinese_number, parse_place, place_similarity
from fengqiao.triage.testing import FIXTURE_CORPUS

T0 = dt.datetime(2026, 9, 1, 20, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture(scope="module")
def model():
    return store.get_model()


def test_the_fixture_model_was_trained_on_the_fixture_corpus(model):
    assert model.info["examples"] == len(store.read_corpus(FIXTURE_CORPUS))
    assert model.info["sources"] == {"corpus": model.info["examples"]}
    assert len(model.info["version"]) == 12


def test_predicts_subcategory_department_case_type_and_urgency(model):
    gas, light = model.predict(["厨房里煤气味很浓，不敢开火，请燃气公司马上来", "这条路的路灯晚上一直不亮"])
    assert (gas.subcategory, gas.category, gas.department, gas.urgent) == ("08.03", "08", "D15", True)
    assert gas.case_type == "help"
    assert (light.subcategory, light.department, light.urgent) == ("07.01", "D12", False)
    assert 0 < light.confidence <= 1
    assert len(light.alternatives) == 3
    assert [p for _code, p in light.alternatives] == sorted((p for _code, p in light.alternatives), reverse=True)
    assert light.confidence >= light.alternatives[0][1]


def test_explanation_names_the_words_that_drove_the_choice(model):
    words = model.explain("这条路的路灯晚上一直不亮", subcategory="07.01")
    assert "路灯" in words
    assert all("," not in word for word in words)


def test_danger_words_come_from_the_urgent_lexicon(model):
    assert "煤气味" in model.danger_words("楼道里有煤气味")
    assert model.danger_words("想问问垃圾什么时候清运") == []


@pytest.mark.parametrize(
    ("token", "number"), [("3", 3), ("三", 3), ("十", 10), ("十二", 12), ("二十一", 21), ("一百零五", 105)]
)
def test_chinese_numbers(token, number):
    assert chinese_number(token) == number


def test_building_numbers_are_read_in_every_spelling():
    spellings = ["金色家园3栋", "金色家园3号楼", "金色家园三号楼", "金色家园 3 幢"]
    assert {frozenset(parse_place(address).buildings) for address in spellings} == {frozenset({3})}


def test_places_that_contradict_are_not_the_same_place():
    six = parse_place("合肥市经开区海恒社区金色家园6栋2单元")
    assert place_similarity(six, parse_place("合肥市经开区金色家园6号楼")) == 1.0
    assert place_similarity(six, parse_place("合肥市经开区海恒社区金色家园8栋")) == 0.0
    assert place_similarity(six, parse_place("合肥市经开区海恒社区金色家园6栋3单元")) == 0.0
    junction = parse_place("株洲市芦淞区建设中路与新华路交口")
    assert junction.roads == {"建设中路", "新华路"}
    assert place_similarity(junction, parse_place("株洲市芦淞区建设中路128号")) >= 0.6
    assert place_similarity(junction, parse_place("株洲市芦淞区红旗路")) == 0.0
    assert place_similarity(junction, parse_place("株洲市芦淞区新华路与红旗路交口")) == 0.0


def _appeal(identifier, text, address, hours):
    return Appeal(id=identifier, text=text, address=address, received_at=T0 + dt.timedelta(hours=hours))


def test_duplicates_need_the_same_problem_place_and_time(model):
    appeals = [
        _appeal("a1", "金色家园6栋2单元楼道里煤气味很浓，怕漏气", "合肥市经开区海恒社区金色家园6栋2单元", 0),
        _appeal("a2", "6栋闻到燃气味，请燃气公司赶紧来看看", "合肥市经开区海恒社区金色家园6号楼", 0.5),
        _appeal("a3", "8栋楼道有煤气味，很浓", "合肥市经开区海恒社区金色家园8栋", 1),  # another building
        _appeal("a4", "这条路的路灯晚上一直不亮", "株洲市芦淞区建设中路128号", 2),
        _appeal("a5", "红旗路的路灯坏了，晚上很黑", "株洲市芦淞区红旗路", 3),  # another road
        _appeal("a6", "建设中路路灯不亮，晚上很黑", "株洲市芦淞区建设中路与新华路交口", 5),
        _appeal("a7", "建设中路的路灯又不亮了", "株洲市芦淞区建设中路128号", 24 * 28),  # weeks later
        _appeal("a8", "金色家园6栋又闻到煤气味了", "合肥市经开区海恒社区金色家园6栋2单元", 48),  # urgent, 2 days
    ]
    results = {row["id"]: row["duplicate_of"] for row in triage_appeals(appeals, model=model)}
    assert results == {
        "a1": None,
        "a2": "a1",
        "a3": None,
        "a4": None,
        "a5": None,
        "a6": "a4",
        "a7": None,
        "a8": None,
    }


def test_a_duplicate_of_a_duplicate_points_to_the_first_report(model):
    appeals = [
        _appeal("b1", "这条路的路灯晚上一直不亮", "株洲市芦淞区建设中路128号", 0),
        _appeal("b2", "建设中路路灯不亮，晚上很黑", "株洲市芦淞区建设中路", 1),
        _appeal("b3", "建设中路路灯坏了，晚上黑漆漆的", "株洲市芦淞区建设中路", 2),
    ]
    assert [row["duplicate_of"] for row in triage_appeals(appeals, model=model)] == [None, "b1", "b1"]


def test_the_array_form_of_the_calibrated_svm_gives_scikit_learns_probabilities():
    import numpy as np
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.svm import LinearSVC

    from fengqiao.triage.features import DATA_DIR, Featurizer, read_lexicon
    from fengqiao.triage.model import CalibratedLinear

    examples = store.read_corpus(FIXTURE_CORPUS)
    featurizer = Featurizer(lexicon=read_lexicon(DATA_DIR / "lexicon.txt"), danger=["煤气味"])
    matrix = featurizer.fit_transform([ex.text for ex in examples])
    calibrated = CalibratedClassifierCV(LinearSVC(C=0.5), cv=3).fit(matrix, [ex.subcategory for ex in examples])
    fast = CalibratedLinear(calibrated)
    assert list(fast.classes_) == list(calibrated.classes_)
    np.testing.assert_allclose(fast.predict_proba(matrix), calibrated.predict_proba(matrix), atol=1e-5)
