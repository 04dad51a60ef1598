"""The canteens' page views, one module per area."""
