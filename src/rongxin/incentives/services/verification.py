"""Online checks: a provider asks whether credentials are eligible now; each distinct credential
is answered "eligible or not" (and why not, as a code) and recorded, so the holder sees who
checked their credit. Nothing else about the holder is answered."""

from __future__ import annotations

from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.models import User
from rongxin.core import clock
from rongxin.core.bulk import BulkWriter, TableSpec, adapt_datetime
from rongxin.core.errors import field_error
from rongxin.incentives.models import Check
from rongxin.incentives.permissions import access_provider
from rongxin.incentives.selectors import Answer, credentials_resolve

MAX_BATCH = 1000


CHECK_SPEC = TableSpec.of(Check, ("provider", "subject", "incentive", "credential_jti", "at", "channel", "result"))


def credentials_check(*, actor: User, tokens: list[str], channel: str = Check.Channel.ONLINE) -> list[Answer]:
    """A provider checks up to 1,000 credentials: eligible or not, per item, in order. Each
    distinct credential is checked and recorded once (the holder sees it), however often the
    batch repeats it. A credential for another provider's incentive is
    answered "wrong_provider" and recorded for that holder too. Writes one check row per distinct
    credential (one bulk write). Raises NotFound, InvalidInput ``batch_size``."""
    provider = access_provider(actor=actor)
    if not isinstance(tokens, list) or not tokens:
        raise field_error("tokens", _("Send between 1 and %(n)d credentials.") % {"n": MAX_BATCH}, code="batch_size")
    if len(tokens) > MAX_BATCH:
        raise field_error("tokens", _("Send between 1 and %(n)d credentials.") % {"n": MAX_BATCH}, code="batch_size")
    now = clock.now()
    # One check per distinct credential: the same token sent 1,000 times is checked and shown to
    # its holder once, and every position of the batch gets that one answer.
    texts = [str(t).strip() for t in tokens]
    distinct = list(dict.fromkeys(texts))
    resolved = credentials_resolve(provider=provider, tokens=distinct, now=now)
    at = adapt_datetime(connection, now)
    rows = [
        (
            provider.pk,
            r.credential.subject_id if r.credential else None,
            r.incentive.pk if r.incentive else None,
            r.credential.jti if r.credential else "",
            at,
            channel,
            r.answer.reason,
        )
        for r in resolved
    ]
    # One raw write (COPY on PostgreSQL for a batch): plain values, all checked above.
    with transaction.atomic():
        writer = BulkWriter(connection, method="auto" if len(rows) > 20 else "executemany")
        try:
            writer.write(CHECK_SPEC, rows)
        finally:
            writer.close()
    answers = dict(zip(distinct, (r.answer for r in resolved), strict=True))
    return [answers[t] for t in texts]
