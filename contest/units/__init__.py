"""Units (đơn vị): the organisation tree every member belongs to."""
