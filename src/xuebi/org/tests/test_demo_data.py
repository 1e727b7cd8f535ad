"""The demo roster is plain data: these tests need neither Django nor a database."""

import datetime as dt
import re
from collections import Counter

import pytest

from xuebi.org import demo_data
from xuebi.org.demo_data import DEMO_PEOPLE, REFERENCE_DATE, UNITS, county_of, generate_people, id_check_char, iter_units

KEYS = {
    "name",
    "sex",
    "ethnicity",
    "birth_date",
    "id_number",
    "phone",
    "unit_path",
    "position",
    "rank",
    "education",
    "political_status",
    "joined_party_date",
    "full_member_date",
    "work_start_date",
    "is_org_cadre",
    "status",
}
COUNTY_CODES = {
    "锡林浩特市委组织部": "152502",
    "二连浩特市委组织部": "152501",
    "阿巴嘎旗委组织部": "152522",
    "苏尼特左旗委组织部": "152523",
    "苏尼特右旗委组织部": "152524",
    "东乌珠穆沁旗委组织部": "152525",
    "西乌珠穆沁旗委组织部": "152526",
    "太仆寺旗委组织部": "152527",
    "镶黄旗委组织部": "152528",
    "正镶白旗委组织部": "152529",
    "正蓝旗委组织部": "152530",
    "多伦县委组织部": "152531",
    "乌拉盖管理区党工委组织部": "152571",
}
PHONE = re.compile(r"^1[35789]\d{9}$")


@pytest.fixture(scope="module")
def people():
    return generate_people()


def years_between(start, end):
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


def age_at_reference(birth):
    return years_between(birth, REFERENCE_DATE)


def test_check_char_matches_the_standard_example():
    assert id_check_char("11010519491231002") == "X"


def test_unit_tree_shape():
    assert UNITS["name"] == "锡林郭勒盟委组织部" and UNITS["kind"] == "league_dept" and UNITS["code"] == "1525"
    kinds = Counter(child["kind"] for child in UNITS["children"])
    assert kinds == {"section": 9, "branch": 1, "county_dept": 13}
    counties = {c["name"]: c for c in UNITS["children"] if c["kind"] == "county_dept"}
    assert {name: c["code"] for name, c in counties.items()} == COUNTY_CODES
    for county in counties.values():
        child_kinds = Counter(child["kind"] for child in county["children"])
        assert 3 <= child_kinds["section"] <= 5 and child_kinds["branch"] == 1
    for _, node in iter_units():
        assert set(node) == {"name", "short_name", "kind", "code", "children"}
        assert node["kind"] in {"league_dept", "county_dept", "section", "branch", "other"}
        assert len(node["short_name"]) <= 30


def test_count_and_keys(people):
    assert len(people) == 400
    assert all(set(p) == KEYS for p in people)
    assert len(generate_people(seed=7, count=37)) == 37
    assert len(generate_people(count=1)) == 1


def test_ids_valid_unique_and_consistent(people):
    ids = [p["id_number"] for p in people]
    assert len(set(ids)) == len(ids)
    for p in people:
        number = p["id_number"]
        assert re.fullmatch(r"\d{17}[\dX]", number)
        assert id_check_char(number[:17]) == number[17]
        assert number[6:14] == p["birth_date"].strftime("%Y%m%d")
        assert p["sex"] == ("M" if int(number[16]) % 2 else "F")
        county = county_of(p["unit_path"])
        assert number[:6] == (COUNTY_CODES[county] if county else "152502")


def test_phones_valid_and_unique(people):
    phones = [p["phone"] for p in people]
    assert len(set(phones)) == len(phones)
    assert all(PHONE.match(phone) for phone in phones)


def test_unit_paths_resolve(people):
    paths = {path for path, _ in iter_units()}
    assert all(p["unit_path"] in paths for p in people)
    nodes = dict(iter_units())
    assert all(nodes[p["unit_path"]]["kind"] != "branch" for p in people)


def test_every_county_has_people_and_one_head(people):
    by_county = Counter(county_of(p["unit_path"]) for p in people)
    assert set(COUNTY_CODES) <= set(by_county)
    assert all(15 <= by_county[c] <= 40 for c in COUNTY_CODES)
    assert 50 <= by_county[None] <= 75
    heads = Counter(p["unit_path"] for p in people if p["position"] == "部长")
    assert len(heads) == 14 and set(heads.values()) == {1}


def test_dates_plausible(people):
    for p in people:
        age = age_at_reference(p["birth_date"])
        assert 23 <= age <= 59
        assert 21 <= years_between(p["birth_date"], p["work_start_date"]) <= 25
        assert p["birth_date"] < p["work_start_date"] < REFERENCE_DATE
        joined, full = p["joined_party_date"], p["full_member_date"]
        if p["political_status"] == "member":
            assert joined and full and joined < full < REFERENCE_DATE
            assert 20 <= years_between(p["birth_date"], joined) <= 35
            assert (full - joined).days in range(365, 367) or (full - joined).days in range(545, 553)
        elif p["political_status"] == "probationary":
            assert full is None and REFERENCE_DATE - dt.timedelta(days=366) <= joined < REFERENCE_DATE
        else:
            assert p["political_status"] == "masses" and joined is None and full is None


def test_proportions_roughly_realistic(people):
    members = sum(p["political_status"] == "member" for p in people)
    assert 0.85 * len(people) <= members <= 0.98 * len(people)
    assert sum(p["status"] == "active" for p in people) >= 0.93 * len(people)
    assert sum(p["is_org_cadre"] for p in people) >= 0.9 * len(people)
    assert Counter(p["education"] for p in people).most_common(1)[0][0] == "bachelor"
    assert Counter(p["position"] for p in people).most_common(1)[0][0] == "科员"
    assert len({p["name"] for p in people}) >= 0.95 * len(people)
    assert all(p["rank"] in demo_data.RANKS for p in people)


def test_deterministic_for_a_seed():
    assert generate_people(seed=5, count=120) == generate_people(seed=5, count=120)
    assert generate_people(seed=5, count=120) != generate_people(seed=6, count=120)


def test_demo_cadre_first(people):
    cadre = DEMO_PEOPLE["cadre"]
    assert people[0] == cadre
    assert cadre["name"] == "巴依斯古楞" and cadre["sex"] == "M" and cadre["ethnicity"] == "蒙古族"
    assert cadre["unit_path"] == ("锡林郭勒盟委组织部", "阿巴嘎旗委组织部", "组织股")
    assert cadre["id_number"].startswith("152522") and id_check_char(cadre["id_number"][:17]) == cadre["id_number"][17]
    assert cadre["position"] == "科员" and cadre["is_org_cadre"] and cadre["status"] == "active"
    assert sum(p["name"] == "巴依斯古楞" for p in people) == 1


@pytest.mark.parametrize("seed", [2021, 1, 99])
def test_another_ba_in_another_county(seed):
    people = generate_people(seed=seed)
    assert any(p["name"].startswith("巴") and county_of(p["unit_path"]) not in (None, "阿巴嘎旗委组织部") for p in people[1:])
