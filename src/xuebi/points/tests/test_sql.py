"""The read model's statements (points/sql.py) name tables and columns as the models do."""

from __future__ import annotations

import re

from django.apps import apps

from xuebi.org.models import Unit
from xuebi.org.selectors import COUNTY_WIDTH
from xuebi.points import sql
from xuebi.points.models import PersonTotal, UnitTotal


def test_every_table_named_in_the_statements_is_a_models_table():
    tables = {model._meta.db_table for model in apps.get_models()}
    with open(sql.__file__, encoding="utf-8") as source:
        named = set(re.findall(r"\b((?:points|org|campaign)_[a-z]+)\b", source.read())) - {"campaign_id"}  # a column
    assert named and named <= tables, named - tables


def test_the_ranked_columns_and_the_county_width_are_the_models():
    assert set(sql.COLUMNS) <= {f.column for f in PersonTotal._meta.concrete_fields}
    assert set(sql.COLUMNS) <= {f.column for f in UnitTotal._meta.concrete_fields}
    assert sql.COUNTY_WIDTH == COUNTY_WIDTH == 2 * Unit.steplen


def test_an_unknown_column_is_refused_before_it_reaches_a_statement():
    for build in (
        lambda: sql.top_people("1 = 1", [], "total; DROP TABLE x", 50),
        lambda: sql.scores_of("1 = 1", [], "points", [1]),
        lambda: sql.bands("1 = 1", [], "name", 0),
    ):
        try:
            build()
        except ValueError:
            continue
        raise AssertionError("an unknown column was written into a statement")
