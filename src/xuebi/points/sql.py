"""Every SQL text of the points read model, in one place (``standings`` and ``boards`` run them).

The same text runs on SQLite and PostgreSQL unless a function says otherwise. Table and column
names are written out (``test_sql`` checks them against the models); every value is a ``%s``
parameter. A statement whose shape varies — an ``IN`` list, the ranked column, an optional
condition, a subquery built by the ORM — is a small function returning ``(sql, params)``; the
rest are constants. Why a statement is written the way it is, is said beside it.

The ranked column of a board (``total`` or one of the 类别 columns ``theory`` …) is the one
identifier chosen at run time: every function that takes one checks it against ``COLUMNS``
(``column``) before writing it into the text.

The tables:
* ``points_pointentry``  the journal (``PointEntry``), the truth;
* ``points_persontotal`` / ``points_unittotal``  kept totals (``PersonTotal``, ``UnitTotal``) per
  person / unit, campaign, period (``period``, ``period_start``) and indicator (NULL: all), one
  column per 类别 and ``total``; a person's rows carry the county they are filed under;
* ``points_rankcount``  band counts (``RankCount``): how many rows of a key have a figure in each
  whole-point band (``bucket``), per county and for the league (``county_id`` NULL), written as
  +1/−1 deltas;
* ``org_person``, ``org_unit`` (a materialized-path tree: ``path``, 4 characters a level), and
  ``campaign_indicator``, ``campaign_campaign``, ``points_standingsnapshot`` for ``VERSION``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from xuebi.campaign.choices import Dimension

COLUMNS = ["total", *(d.value for d in Dimension)]

# A unit's county is the ancestor at depth 2: the first COUNTY_WIDTH characters of its path
# (org.selectors.COUNTY_WIDTH; ``test_sql`` keeps the two equal).
COUNTY_WIDTH = 8

# How many rows a band's delta rows may reach before a rank read folds them (``RankCount``): once
# compacted a key holds one row per (column, county, band); there are 13 counties and the league's
# own sections, so fewer than COUNTIES rows per band. A read that finds more than COUNTIES rows per
# band plus BAND_SLACK knows the deltas have piled up and compacts them first
# (``standings.compact_counts``), so the read stays a few hundred rows instead of growing with every
# award since the last compaction; the slack keeps a quiet board from being compacted for a handful
# of deltas.
COUNTIES = 20
BAND_SLACK = 1000

# Counting the people above a score inside its own band reads the rank index by range. The values
# asked for (a board's top 50, a viewer far below them) fall into a few runs of nearby bands; two
# bands share one range when at most GAP_ROWS people lie between them — reading up to 1,000 index
# entries too many costs less than another range (another UNION ALL branch) — while a viewer
# thousands of places below the top gets a range of their own instead of a scan of everyone between.
GAP_ROWS = 1000


def column(name: str) -> str:
    """The ranked column ``name``, checked: the only identifier not written out in a statement."""
    if name not in COLUMNS:
        raise ValueError(name)
    return name


def marks(n: int) -> str:
    """``%s, %s, …`` for an ``IN`` list or a VALUES row of ``n`` values."""
    return ", ".join(["%s"] * n)


# --- the version every board cache is keyed on ------------------------------------------------

# The newest journal row and the latest change of the roster, the units, the indicators, the
# campaigns and the month-end snapshot: six index reads (MAX of an indexed column) in one statement.
VERSION = (
    "SELECT (SELECT MAX(id) FROM points_pointentry), (SELECT MAX(updated_at) FROM org_person), "
    "(SELECT MAX(updated_at) FROM org_unit), (SELECT MAX(updated_at) FROM campaign_indicator), "
    "(SELECT MAX(updated_at) FROM campaign_campaign), (SELECT MAX(taken_at) FROM points_standingsnapshot)"
)


# --- one set of kept rows -----------------------------------------------------------------------


def key_where(
    campaign_id: int, indicator_id: int | None, period: str, period_start, county_id: int | None, *, rows: bool = False
) -> tuple[str, list]:
    """The WHERE of one set of rows (campaign, indicator or all, period, start): of the band counts
    of one county or (``county_id`` None) the league's own; with ``rows``, of the ``PersonTotal``
    rows themselves (every county unless one is given)."""
    where = ["campaign_id = %s", "period = %s", "period_start = %s"]
    params: list = [campaign_id, period, period_start]
    if indicator_id is None:
        where.append("indicator_id IS NULL")
    else:
        where.append("indicator_id = %s")
        params.append(indicator_id)
    if county_id is not None:
        where.append("county_id = %s")
        params.append(county_id)
    elif not rows:
        where.append("county_id IS NULL")
    return " AND ".join(where), params


# --- writing the kept rows (the engine, under the person's lock) ------------------------------

# The person's whole-campaign row, the one every writer for the person locks first. On SQLite a
# write transaction is IMMEDIATE (settings): the database lock serialises writers, and SQLite has
# no FOR UPDATE.
LOCK_PERSON = (
    "SELECT id FROM points_persontotal WHERE campaign_id = %s AND person_id = %s AND indicator_id IS NULL AND period = %s"
)


def lock_person(for_update: bool) -> str:
    return LOCK_PERSON + (" FOR UPDATE" if for_update else "")


def upsert_totals(
    table: str, owner: str, rows: Sequence[Sequence], *, all_indicators: bool, counted: bool, create_only: bool = False
) -> tuple[str, list]:
    """INSERT … ON CONFLICT of kept rows: add each row's figures to the row of its key, creating it
    where missing (``create_only``: create missing rows and leave existing ones alone — the row
    count says whether one was created). ``rows``: (campaign, owner, indicator, period, start,
    *COLUMNS[, county]) each; ``counted``: person rows, which carry their county.

    The conflict target names the partial unique index of its kind of row: the all-indicator rows
    (indicator NULL) and the per-indicator rows have one each, because NULLs never conflict."""
    if table not in ("points_persontotal", "points_unittotal") or owner not in ("person_id", "unit_id"):
        raise ValueError(table)
    names = ["campaign_id", owner, "indicator_id", "period", "period_start", *COLUMNS] + (["county_id"] if counted else [])
    row = "(" + marks(len(names)) + ")"
    if all_indicators:
        conflict, where = f"campaign_id, {owner}, period, period_start", "indicator_id IS NULL"
    else:
        conflict, where = f"campaign_id, {owner}, indicator_id, period, period_start", "indicator_id IS NOT NULL"
    action = "NOTHING" if create_only else "UPDATE SET " + ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in COLUMNS)
    sql = (
        f"INSERT INTO {table} ({', '.join(names)}) VALUES {', '.join([row] * len(rows))} "
        f"ON CONFLICT ({conflict}) WHERE {where} DO {action}"
    )
    return sql, [v for r in rows for v in r]


# ``column`` is a keyword in SQL: quoted, the same way on both backends.
RANK_COUNT_COLUMNS = 'campaign_id, indicator_id, period, period_start, "column", county_id, bucket, people'


def insert_counts(rows: Sequence[Sequence]) -> tuple[str, list]:
    """The INSERT of band-count delta rows, each (campaign, indicator, period, start, column,
    county, band, people): one statement among the award's others."""
    row = "(" + marks(8) + ")"
    return (
        f"INSERT INTO points_rankcount ({RANK_COUNT_COLUMNS}) VALUES {', '.join([row] * len(rows))}",
        [v for r in rows for v in r],
    )


def insert_counts_from(select_sql: str, params: Sequence) -> tuple[str, list]:
    """INSERT the band counts an ORM ``SELECT`` gives, in ``RANK_COUNT_COLUMNS``'s order."""
    return f"INSERT INTO points_rankcount ({RANK_COUNT_COLUMNS}) {select_sql}", list(params)


def person_rows(
    campaign_id: int,
    person_id: int,
    indicator_ids: Sequence[int],
    periods: Sequence,
    starts: Sequence,
    also: Iterable[tuple[str, Sequence]] = (),
) -> tuple[str, list]:
    """A person's kept rows of some periods and starts (all indicators, and the given ones), and —
    on every row, as scalar subqueries without outer references, which run once — the engine's
    other one-value reads (``also``: (sql, params) each), so that the writer's reads are one round
    trip. The periods and starts are asked for separately: a few rows more, dropped by the caller."""
    extra, params = [], []
    for sql, read_params in also:
        extra.append(f", ({sql})")
        params += read_params
    indicators = f" OR indicator_id IN ({marks(len(indicator_ids))})" if indicator_ids else ""
    sql = (
        f"SELECT indicator_id, period, period_start, county_id, {', '.join(COLUMNS)}{''.join(extra)} "
        f"FROM points_persontotal WHERE campaign_id = %s AND person_id = %s AND (indicator_id IS NULL{indicators}) "
        f"AND period IN ({marks(len(periods))}) AND period_start IN ({marks(len(starts))})"
    )
    return sql, [*params, campaign_id, person_id, *indicator_ids, *periods, *starts]


def one_row(reads: Iterable[tuple[str, Sequence]]) -> tuple[str, list]:
    """Several one-value reads ((sql, params) each) as one statement: ``SELECT (…), (…)``."""
    parts, params = [], []
    for sql, read_params in reads:
        parts.append(f"({sql})")
        params += read_params
    return "SELECT " + ", ".join(parts), params


# --- rebuilding (tasks and commands) ----------------------------------------------------------


def insert_totals_from(table: str, names: Sequence[str], select_sql: str, params: Sequence) -> tuple[str, list]:
    """INSERT INTO a totals table the rows an ORM ``GROUP BY`` over the journal gives (the database
    does the summing); person rows are filed under the county of their unit now, joined here
    rather than looked up per row."""
    if table == "points_persontotal":
        select_sql = (
            "SELECT g.*, m.county FROM (" + select_sql + ") g LEFT JOIN ("
            "SELECT p.id AS pid, c.id AS county FROM org_person p JOIN org_unit u ON u.id = p.unit_id "
            "JOIN org_unit c ON c.path = substr(u.path, 1, %s)) m ON m.pid = g.person_id"
        )
        params, names = [*params, COUNTY_WIDTH], [*names, "county_id"]
    elif table != "points_unittotal":
        raise ValueError(table)
    return f"INSERT INTO {table} ({', '.join(names)}) {select_sql}", list(params)


# Fresh planner statistics after a bulk write (PostgreSQL only; see ``standings._analyze``).
ANALYZE_TOTALS = "ANALYZE points_persontotal, points_unittotal, points_rankcount"
ANALYZE_SNAPSHOT = "ANALYZE points_persontotal, points_rankcount"


# --- ranks from the band counts ---------------------------------------------------------------


def bands(where: str, params: Sequence, column_name: str, lowest: int) -> tuple[str, list]:
    """Per band at or above ``lowest``: (band, people, delta rows) of one key's band counts
    (``where``: ``key_where``). The row count tells the caller when to compact (``COUNTIES``)."""
    return (
        f'SELECT bucket, SUM(people), COUNT(*) FROM points_rankcount WHERE {where} AND "column" = %s '
        f"AND bucket >= %s GROUP BY bucket",
        [*params, column(column_name), lowest],
    )


def counts_inside(where: str, params: Sequence, column_name: str, ranges: Sequence[tuple]) -> tuple[str, list]:
    """(figure, rows holding it) within each (above, below) range of one set of kept rows.

    COUNT(*) and one range per SELECT, joined by UNION ALL: each is an index-only scan of the rank
    index (the table itself is not read); ORed ranges became a bitmap scan that visits every row's
    page."""
    c = column(column_name)
    one = f"SELECT {c}, COUNT(*) FROM points_persontotal WHERE {where} AND {c} > %s AND {c} < %s GROUP BY {c}"
    return " UNION ALL ".join([one] * len(ranges)), [p for low, high in ranges for p in (*params, low, high)]


def scores_of(where: str, params: Sequence, column_name: str, person_ids: Sequence[int]) -> tuple[str, list]:
    """(person, figure) of some people in one set of kept rows (``where``: ``key_where(rows=True)``)."""
    c = column(column_name)
    return (
        f"SELECT person_id, {c} FROM points_persontotal WHERE {where} AND person_id IN ({marks(len(person_ids))})",
        [*params, *person_ids],
    )


# --- people boards ----------------------------------------------------------------------------


def top_people(where: str, params: Sequence, column_name: str, limit: int) -> tuple[str, list]:
    """The top ``limit`` (person_id, score, rank) of one set of kept rows, best first: read in the
    order of the rank index (figure, person), so the rest are never sorted. Ties share a rank."""
    c = column(column_name)
    return (
        f"SELECT person_id, {c} AS score, RANK() OVER (ORDER BY {c} DESC) AS rank "
        f"FROM points_persontotal WHERE {where} ORDER BY {c} DESC, person_id LIMIT %s",
        [*params, int(limit)],
    )


def kept_figure(where: str, params: Sequence, column_name: str, person: str) -> tuple[str, list]:
    """A person's figure in one set of kept rows, as a scalar subquery on the rows' unique index;
    ``person`` is the SQL of the person's id: ``%s`` (a parameter the caller appends) or
    ``s.person_id`` (the row of ``shown`` in ``people_shown``)."""
    if person not in ("%s", "s.person_id"):
        raise ValueError(person)
    return f"(SELECT {column(column_name)} FROM points_persontotal WHERE {where} AND person_id = {person})", list(params)


def people_shown(
    top_sql: str, top_params: Sequence, viewer: tuple[str, list] | None, before: tuple[str, list] | None
) -> tuple[str, list]:
    """The rows a people board shows, in one statement: the top (``top_sql``), then the viewer
    when not among them (rank NULL; ``viewer``: their id and ``kept_figure`` of their score), each
    with name, unit name and depth, county name, and the figure in the previous span (``before``:
    a ``kept_figure`` of ``s.person_id``, or None — NULL). A unit's county is the ancestor whose
    path is the first COUNTY_WIDTH characters of the unit's."""
    shown, params = "SELECT person_id, score, rank FROM top", list(top_params)
    if viewer is not None:
        viewer_id, (figure, figure_params) = viewer[0], viewer[1]
        shown += f" UNION ALL SELECT %s, {figure}, NULL WHERE %s NOT IN (SELECT person_id FROM top)"
        params += [viewer_id, *figure_params, viewer_id]
    before_sql, before_params = before if before is not None else ("NULL", [])
    sql = (
        f"WITH top AS ({top_sql}), shown AS ({shown}) "
        f"SELECT s.person_id, s.score, s.rank, p.name, u.name, u.depth, COALESCE(NULLIF(c.short_name, ''), c.name), "
        f"{before_sql} FROM shown s JOIN org_person p ON p.id = s.person_id JOIN org_unit u ON u.id = p.unit_id "
        f"LEFT JOIN org_unit c ON c.path = substr(u.path, 1, %s) "
        f"ORDER BY s.rank IS NULL, s.score DESC, s.person_id"
    )
    return sql, [*params, *before_params, COUNTY_WIDTH]


def ranks_among(ranked_sql: str, ranked_params: Sequence, person_ids: Sequence[int]) -> tuple[str, list]:
    """(person, rank, score) of a few people within a ranking the ORM built (a custom range summed
    from the journal): filtered from outside, since a filter inside would change who is ranked."""
    return (
        f"SELECT person_id, rank, score FROM ({ranked_sql}) ranked WHERE person_id IN ({marks(len(person_ids))})",
        [*ranked_params, *person_ids],
    )


# --- unit boards ------------------------------------------------------------------------------


def subtree_sums(
    *,
    campaign_id: int,
    indicator_id: int | None,
    column_name: str,
    width: int,
    under: str,
    kept: tuple | None = None,
    upto: tuple | None = None,
    journal: tuple | None = None,
) -> tuple[str, list]:
    """(p: the path of the unit ``width`` characters deep above each row's unit, s: points) — the
    points earned in each subtree below ``under`` for one span, as one GROUP BY: over the kept unit
    rows of a period (``kept``: (period, start)), of the months up to a month end (``upto``: (the
    month period, the last month) — the standing at its end), or over the journal between two dates (``journal``: (start, end); a custom
    range). GROUP BY 1 rather than the expression: the width is a parameter, and a repeated
    parameter would be a different expression to PostgreSQL with server-side binding.

    Written out: the ORM took longer to build this than the database to run it."""
    where, params = ["t.campaign_id = %s"], [campaign_id]
    if journal is None:
        table, figure = "points_unittotal", column(column_name)
        if indicator_id is not None:
            where.append("t.indicator_id = %s")
            params.append(indicator_id)
        else:
            where.append("t.indicator_id IS NULL")
        if upto is not None:
            where.append("t.period = %s AND t.period_start <= %s")
            params += list(upto)
        elif kept is not None:
            where.append("t.period = %s AND t.period_start = %s")
            params += list(kept)
        else:
            raise ValueError("a span of kept rows, a month end or journal dates")
    else:
        table, figure = "points_pointentry", "points"
        where.append("t.occurred_on BETWEEN %s AND %s")
        params += list(journal)
        if indicator_id is not None:
            where.append("t.indicator_id = %s")
            params.append(indicator_id)
        elif column(column_name) != "total":
            where.append("t.dimension = %s")
            params.append(column_name)
    return (
        f"SELECT substr(u.path, 1, %s) AS p, SUM(t.{figure}) AS s FROM {table} t "
        f"JOIN org_unit u ON u.id = t.unit_id WHERE {' AND '.join(where)} AND u.path LIKE %s GROUP BY 1",
        [width, *params, f"{under}%"],
    )


# A span without a previous one: nothing to join.
NO_SUMS = "SELECT NULL AS p, 0 AS s"


def ranked_units(
    *,
    now: tuple[str, list],
    before: tuple[str, list],
    headcounts: dict[str, int],
    per_head: bool,
    depth: int,
    under: str,
    kind: str | None,
) -> tuple[str, list]:
    """(id, path, name, short name, total, previous total, headcount, rank, previous rank), best
    first, of the active units at ``depth`` below ``under`` (``kind``: only units of that kind):
    RANK() over the units joined to their subtrees' sums now and before (``subtree_sums``). The
    headcounts come in as a CASE over the units' paths (``headcounts``: path → people).

    ``* 1.0`` makes SQLite divide as decimals (13 / 27 is 0 between integers). ``under`` must be a
    tree path (letters and digits): it goes into LIKE unescaped."""
    if under and not under.isalnum():
        raise ValueError(under)
    headcount = ("CASE u.path " + " ".join("WHEN %s THEN %s" for _ in headcounts) + " ELSE 0 END") if headcounts else "0"
    head_params = [v for item in headcounts.items() for v in item]
    figures = (
        f"SELECT u.id, u.path, u.name, u.short_name, COALESCE(n.s, 0) AS score_total, "
        f"COALESCE(b.s, 0) AS before_total, {headcount} AS headcount FROM org_unit u "
        f"LEFT JOIN ({now[0]}) n ON n.p = u.path LEFT JOIN ({before[0]}) b ON b.p = u.path "
        f"WHERE u.is_active = %s AND u.depth = %s AND u.path LIKE %s" + (" AND u.kind = %s" if kind else "")
    )
    params = [*head_params, *now[1], *before[1], True, depth, f"{under}%", *([kind] if kind else [])]
    if per_head:
        score, previous = "score_total * 1.0 / NULLIF(headcount, 0)", "before_total * 1.0 / NULLIF(headcount, 0)"
    else:
        score, previous = "score_total", "before_total"
    return (
        f"SELECT id, path, name, short_name, score_total, before_total, headcount, "
        f"RANK() OVER (ORDER BY COALESCE({score}, 0) DESC), RANK() OVER (ORDER BY COALESCE({previous}, 0) DESC) "
        f"FROM ({figures}) figures ORDER BY COALESCE({score}, 0) DESC, path",
        params,
    )
