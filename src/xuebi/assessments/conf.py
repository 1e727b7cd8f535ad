"""What a deployment may configure about assessments, with the defaults of DOMAIN.md ⚠ (local practice varies):
settings ``XUEBI_ASSESSMENT_QUARTER_SHARE`` (好, default "40%"), ``XUEBI_ASSESSMENT_ANNUAL_SHARE`` (优秀, "20%"),
``XUEBI_ASSESSMENT_ANNUAL_MAX_APPROVED`` (the highest share an approval may grant, "25%"),
``XUEBI_ASSESSMENT_SMALL_UNIT`` ("one" or "none"), ``XUEBI_ASSESSMENT_ELIGIBILITY`` (a dict: ``share`` of the
quarters that must be 好 — more than it —, ``barred`` grades). A round copies the share and the small-unit rule
when it is opened, so changing a setting never changes a round under way."""

from __future__ import annotations

from fractions import Fraction

from django.conf import settings

from .quota import Eligibility, as_fraction

__all__ = [
    "quarter_share",
    "annual_share",
    "annual_max_approved",
    "small_unit",
    "eligibility",
    "basis_weights",
    "GRADE_VALUES",
]

# The 评优评先 basis: the weight of each component (an evidence provider's name, or "grades"); a provider that is
# not registered is left out (shown as 未计入). ``XUEBI_ASSESSMENT_BASIS_WEIGHTS``.
DEFAULT_WEIGHTS = {"points": 40, "grades": 30, "contests": 15, "checklists": 15}
# A grade as a number for the basis: the year's final annual grade, else the mean of its final quarterly grades.
GRADE_VALUES = {
    "excellent": 100,
    "competent": 80,
    "basic": 60,
    "incompetent": 0,
    "good": 100,
    "fairly_good": 85,
    "fair": 70,
    "poor": 50,
}


def quarter_share() -> Fraction:
    return as_fraction(getattr(settings, "XUEBI_ASSESSMENT_QUARTER_SHARE", "40%"))


def annual_share() -> Fraction:
    return as_fraction(getattr(settings, "XUEBI_ASSESSMENT_ANNUAL_SHARE", "20%"))


def annual_max_approved() -> Fraction:
    return as_fraction(getattr(settings, "XUEBI_ASSESSMENT_ANNUAL_MAX_APPROVED", "25%"))


def small_unit() -> str:
    return getattr(settings, "XUEBI_ASSESSMENT_SMALL_UNIT", "one")


def eligibility() -> Eligibility:
    given = getattr(settings, "XUEBI_ASSESSMENT_ELIGIBILITY", {}) or {}
    return Eligibility(share=as_fraction(given.get("share", "1/2")), barred=tuple(given.get("barred", ("fair", "poor"))))


def basis_weights() -> dict[str, int]:
    return dict(getattr(settings, "XUEBI_ASSESSMENT_BASIS_WEIGHTS", DEFAULT_WEIGHTS))
