"""Accounts: registration, sign-in, profiles, roles, password reset and API tokens."""
