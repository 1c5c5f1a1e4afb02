"""The twitter-support layout: the public "Customer Support on Twitter" corpus (one row per tweet) → tickets.

A ticket is an inbound (customer) tweet that opens a conversation; its first response is the
earliest company reply to it; an unanswered one is still open (its wait is censored).
:func:`twitter_support_relation` builds that relation over the raw source, and the clean view then
reads it like any table with the columns in :data:`VIEW_SCHEMA`.
"""

from __future__ import annotations

from sqlglot import exp

from auditrules.tickets.plan.sql import RAW, text

#: Source columns the layout reads.
TWEET_COLUMNS: tuple[str, ...] = ("tweet_id", "author_id", "inbound", "created_at", "text", "in_response_to_tweet_id")

#: The columns of the relation the layout builds (what the clean view sees instead of the source).
VIEW_SCHEMA: dict[str, str] = {
    "ticket_id": "VARCHAR",
    "channel": "VARCHAR",
    "company": "VARCHAR",
    "status": "VARCHAR",
    "created_at": "VARCHAR",
    "first_response_at": "VARCHAR",
}

_TWITTER_SQL = """
SELECT
  CAST(i.tid AS VARCHAR) AS ticket_id,
  'twitter' AS channel,
  COALESCE(f.company, NULLIF(REGEXP_EXTRACT(i.body, '^[^@]*@([A-Za-z0-9_]+)', 1), '')) AS company,
  CASE WHEN f.reply_raw IS NULL THEN 'open' ELSE 'answered' END AS status,
  i.created_raw AS created_at,
  f.reply_raw AS first_response_at
FROM (
  SELECT TRY_CAST(TRY_CAST(tweet_id AS DOUBLE) AS BIGINT) AS tid,
         CAST(created_at AS VARCHAR) AS created_raw,
         CAST(text AS VARCHAR) AS body
  FROM RAW_RELATION
  WHERE LOWER(TRIM(CAST(inbound AS VARCHAR))) = 'true'
    AND TRY_CAST(TRY_CAST(in_response_to_tweet_id AS DOUBLE) AS BIGINT) IS NULL
) AS i
LEFT JOIN (
  SELECT TRY_CAST(TRY_CAST(in_response_to_tweet_id AS DOUBLE) AS BIGINT) AS parent,
         ARG_MIN(CAST(author_id AS VARCHAR), STRPTIME_TS) AS company,
         ARG_MIN(CAST(created_at AS VARCHAR), STRPTIME_TS) AS reply_raw
  FROM RAW_RELATION
  WHERE LOWER(TRIM(CAST(inbound AS VARCHAR))) = 'false'
    AND in_response_to_tweet_id IS NOT NULL
  GROUP BY 1
) AS f ON f.parent = i.tid
WHERE i.tid IS NOT NULL
"""


def twitter_support_relation() -> exp.Expr:
    """Tickets from the Customer Support on Twitter layout (one row per tweet).

    A ticket is an inbound (customer) tweet that answers nothing (no ``in_response_to_tweet_id``):
    one that opens a conversation. A customer's reply in the middle of a thread is not a ticket,
    even when the tweet it answers is not in the file. The first response is the earliest
    non-inbound reply whose ``in_response_to_tweet_id`` is the ticket's id; ``company`` is that
    reply's author or, for an unanswered opener, the first account the tweet mentions; ``status``
    is ``answered`` or ``open`` (an open opener's wait is censored at the as-of time).
    Ids written as floats (``192625.0``) are read through DOUBLE; ``response_tweet_id`` lists are
    not needed because every reply names its parent.
    """
    tree: exp.Expr = exp.maybe_parse(_TWITTER_SQL, dialect="duckdb")
    ts = exp.StrToTime(
        this=text(exp.column("created_at")), format=exp.Literal.string("%a %b %d %H:%M:%S %z %Y"), safe=True
    )

    def fill(n: exp.Expr) -> exp.Expr:
        if isinstance(n, exp.Column) and n.name == "STRPTIME_TS":
            return ts.copy()
        if isinstance(n, exp.Table) and n.name == "RAW_RELATION":
            return exp.Table(this=exp.to_identifier(RAW))
        return n

    tree = tree.transform(fill)
    for ident in tree.find_all(exp.Identifier):
        ident.set("quoted", True)
    return exp.Subquery(this=tree, alias=exp.TableAlias(this=exp.to_identifier(RAW, quoted=True)))
