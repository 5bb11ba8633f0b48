"""Results: awards, publishing with frozen snapshots, public pages, exports, certificates."""
