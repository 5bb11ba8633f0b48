"""Writing contests: settings and categories, entries with autosaved versions, receipts, similarity check."""
