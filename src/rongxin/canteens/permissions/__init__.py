"""Who may act on canteens, and over which regions."""
