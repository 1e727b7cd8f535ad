"""Grading: pure functions from what an attempt showed (its key, in the shown order) and the
response to a score. Deterministic and re-runnable: the same item and response always give the
same score, so grading an attempt again (a regrade) changes only what a fixed key changes.

Responses, as the taker's page and the API send them:

* single — ``[i]`` (an index into the shown options), multiple — ``[i, j, …]``;
* truefalse — ``[true]`` / ``[false]``;
* fill — one string per blank, ``["遵义会议", "1935"]``;
* short — ``["…text…"]`` (graded by a person: ``grade`` answers ``None``).

Fill-in answers match when equal after NFKC (full-width ＡＢＣ１２３ and half-width ABC123 are
the same), case folding and removing white space and the usual trailing punctuation.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError

from .models import Partial, QuestionType

TWO = Decimal("0.01")
MAX_TEXT = 5000


@dataclass(frozen=True)
class Grade:
    score: Decimal | None  # None: waits for a person (short answer)
    correct: bool | None


def normalise(text: str) -> str:
    """A fill-in answer as compared: NFKC (width), case-folded, without spaces and end punctuation."""
    text = unicodedata.normalize("NFKC", str(text)).casefold()
    text = "".join(ch for ch in text if not ch.isspace())
    return text.strip("。.，,；;、！!？?")


def clean_response(qtype: str, shown: dict, response) -> list | None:
    """The response as stored, checked against what the item showed; ``None`` for "not answered".
    Raises ValidationError (a message a person reads) for a response this question cannot have."""
    if response is None or response == [] or response == "":
        return None
    if not isinstance(response, list):
        response = [response]
    options = len(shown.get("options") or [])
    if qtype in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        if not all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v < options for v in response):
            raise ValidationError("所选的选项不在本题中。")
        picked = sorted(set(response))
        if qtype == QuestionType.SINGLE and len(picked) > 1:
            raise ValidationError("单选题只能选一个选项。")
        return picked
    if qtype == QuestionType.TRUE_FALSE:
        if len(response) != 1 or not isinstance(response[0], bool):
            raise ValidationError("判断题请选择“正确”或“错误”。")
        return response
    if qtype == QuestionType.FILL:
        blanks = int(shown.get("blanks") or 1)
        if len(response) > blanks or not all(isinstance(v, str) for v in response):
            raise ValidationError(f"本题有 {blanks} 个空，请逐空填写。")
        if any(len(v) > 200 for v in response):
            raise ValidationError("每个空最多填写 200 个字。")
        values = [v.strip() for v in response] + [""] * (blanks - len(response))
        return values if any(values) else None
    if qtype == QuestionType.SHORT:
        if len(response) != 1 or not isinstance(response[0], str):
            raise ValidationError("请填写答案。")
        if len(response[0]) > MAX_TEXT:
            raise ValidationError(f"简答题最多 {MAX_TEXT} 个字。")
        return [response[0]] if response[0].strip() else None
    raise ValidationError("未知的题型。")


def grade(qtype: str, key: dict, response: list | None, points: Decimal, partial: str = Partial.NONE) -> Grade:
    """The score of one answer. ``key["answer"]`` is in the shown order."""
    answer = key.get("answer") or []
    if qtype == QuestionType.SHORT:
        if response is None:
            return Grade(Decimal("0"), False)  # nothing written: nothing to read
        return Grade(None, None)
    if response is None:
        return Grade(Decimal("0"), False)
    if qtype in (QuestionType.SINGLE, QuestionType.TRUE_FALSE):
        right = list(response) == list(answer)
        return Grade(points if right else Decimal("0"), right)
    if qtype == QuestionType.MULTIPLE:
        want, got = set(answer), set(response)
        if got == want:
            return Grade(points, True)
        if partial == Partial.PROPORTIONAL and got and got < want:
            # 少选: each right option chosen is worth its share; any wrong option (错选) gives nothing
            return Grade((points * len(got) / len(want)).quantize(TWO, ROUND_HALF_UP), False)
        return Grade(Decimal("0"), False)
    if qtype == QuestionType.FILL:
        blanks = [list(accepted) for accepted in answer]
        given = list(response) + [""] * (len(blanks) - len(response))
        right = sum(1 for accepted, value in zip(blanks, given) if normalise(value) in {normalise(a) for a in accepted})
        if right == len(blanks):
            return Grade(points, True)
        if partial == Partial.PROPORTIONAL and right:
            return Grade((points * right / len(blanks)).quantize(TWO, ROUND_HALF_UP), False)
        return Grade(Decimal("0"), False)
    raise ValueError(qtype)


def manual_score(points: Decimal, value) -> Decimal:
    """A grader's score for a short answer, checked: a number from 0 to the item's points, in halves."""
    try:
        score = Decimal(str(value).strip())
    except Exception:
        raise ValidationError("请填写得分（数字）。") from None
    if not score.is_finite() or score < 0 or score > points:
        raise ValidationError(f"得分应在 0 到 {points.normalize():f} 分之间。")
    if (score * 2) != (score * 2).to_integral_value():
        raise ValidationError("得分以 0.5 分为单位。")
    return score.quantize(TWO)
