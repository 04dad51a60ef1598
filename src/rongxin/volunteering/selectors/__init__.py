"""Reads in volunteering, for the pages and the API alike, one module per area: activities,
volunteers and teams (``people``), call-outs (``mobilisation``), the roster behind closing
(``roster``) and certificates. Selectors ask the permission they need and never write, but for
the audit row of a staff read."""
