"""Judging of writing contests: rounds, rubrics, balanced conflict-free assignment, blind scoring, aggregation."""
