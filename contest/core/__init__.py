"""Pieces every feature shares: text normalisation, the clock, audit log, mail, access decorators."""
