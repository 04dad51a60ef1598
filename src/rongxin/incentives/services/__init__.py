"""Writes in incentives, one module per seam: ``providers`` (and their accounts), ``offers``
(proposals, decisions, the starter catalogue), ``keys`` (signing keys), ``credentials`` (what
holders create and withdraw), ``verification`` (checks), ``redemptions``, ``status`` (status
lists and eligibility exports for offline verifiers) and ``allowance`` (the providers' rate
allowance). Import from the module that owns the function."""
