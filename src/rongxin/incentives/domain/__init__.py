"""Pure rules of incentives: who qualifies for an offer, and the signed formats (credentials,
status lists, exports). No Django I/O: no models, no queries, no settings."""
