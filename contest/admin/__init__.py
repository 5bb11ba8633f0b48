"""Administration: members, roles, imports and the audit log."""
