"""The API: a quarter from 小结 to 确定, refusals as 422 with the Chinese message naming the field, nothing changed."""

import json

from xuebi.assessments.models import Status

from .conftest import open_quarter


def test_a_quarter_through_the_api(section, users, api):
    assessment = open_quarter(users.abag_admin, section)
    mine = assessment.sheets.get(person=users.cadre.person)
    bad = api.post(users.cadre, f"/assessments/sheets/{mine.pk}/summary", {"summary": " "})
    assert bad.status_code == 422 and "请填写个人小结" in json.dumps(bad.json(), ensure_ascii=False)
    ok = api.post(users.cadre, f"/assessments/sheets/{mine.pk}/summary", {"summary": "本季度工作小结。"})
    assert ok.status_code == 200 and ok.json()["summary"] == "本季度工作小结。"
    assert ok.json()["evidence"][0]["label"] == "积分"

    sheets = {s.person.name: s.pk for s in assessment.sheets.select_related("person")}
    grades = {str(pk): ("good" if name in ("巴依斯古楞", "王芳", "张伟") else "fair") for name, pk in sheets.items()}
    assert (
        api.post(
            users.abag_admin, f"/assessments/{assessment.pk}/grades", {"grades": {**grades, str(sheets["陈静"]): "A"}}
        ).status_code
        == 422
    )
    detail = api.post(users.abag_admin, f"/assessments/{assessment.pk}/grades", {"grades": grades}).json()
    assert detail["tally"]["places"] == 2 and "好 最多 2 人，现为 3 人" in detail["tally"]["over_cap"]
    refused = api.post(users.abag_admin, f"/assessments/{assessment.pk}/finalise")
    assert refused.status_code == 422 and "好 最多 2 人，现为 3 人" in json.dumps(refused.json(), ensure_ascii=False)
    bad = api.post(users.abag_admin, f"/assessments/{assessment.pk}/publicise", {"start": "2026-11-26", "end": "2026-11-20"})
    assert bad.status_code == 422 and "公示结束日期不能早于开始日期" in json.dumps(bad.json(), ensure_ascii=False)
    api.post(users.abag_admin, f"/assessments/{assessment.pk}/grades", {"grades": {str(sheets["张伟"]): "fairly_good"}})
    done = api.post(users.abag_admin, f"/assessments/{assessment.pk}/finalise")
    assert done.status_code == 200 and done.json()["status"] == Status.FINAL
    seen = api.get(users.cadre, f"/assessments/{assessment.pk}").json()
    assert {s["person"]: s["grade_label"] for s in seen["sheets"]}["巴依斯古楞"] == "好"
    assert all(s["summary"] is None for s in seen["sheets"] if s["person"] != "巴依斯古楞")  # others' 小结 stay theirs
