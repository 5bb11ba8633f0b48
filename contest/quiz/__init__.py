"""Quizzes: the question bank, rounds, server-timed attempts, ranking and leaderboards."""
