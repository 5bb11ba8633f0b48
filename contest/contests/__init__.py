"""Contests: the quiz and writing contests organisers announce, addressed by slug."""
