"""Property: a feedback export loses no row. Each non-blank data row is either imported as one event or
reported as one `invalid-feedback` diagnostic on its own line, whatever it holds."""
from __future__ import annotations

from hypothesis import given, strategies as st

from engine.diagnostics import Report
from engine.feedback import CHANNELS, OUTCOMES, parse

VALID = st.builds(
    lambda day, channel, answer, outcome, comment: f"2026-11-{day:02d}T09:00:00Z,{channel},{answer},{'c' * 16},"
                                                   f"{outcome},{comment}",
    st.integers(1, 28), st.sampled_from(CHANNELS), st.sampled_from(["billing/pay", "outages/report-it"]),
    st.sampled_from(OUTCOMES), st.text(alphabet="abc xyz", max_size=10))
JUNK = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters='"\u2028\u2029\x85'),
               max_size=60)


@given(st.lists(st.one_of(VALID, JUNK), max_size=15))
def test_every_row_is_imported_or_reported(rows: list[str]) -> None:
    text = "time,channel,answer,hash,outcome,comment\n" + "".join(row + "\n" for row in rows)
    report = Report()
    events = parse(text, "export.csv", report)
    data = [(number, row) for number, row in enumerate(rows, start=2) if any(c.strip() for c in row.split(","))]
    reported = [d.line for d in report.errors]
    assert len(events) + len(set(reported)) == len(data)
    assert set(reported) <= {number for number, _ in data}
