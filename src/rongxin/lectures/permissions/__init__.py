"""Who may do what in lectures, one question per action (see :mod:`.common` for the roles)."""
