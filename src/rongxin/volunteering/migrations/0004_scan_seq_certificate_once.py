"""Two taps cannot both be accepted, and a certificate is issued once per volunteer, issuer,
period and totals. A migration of its own: on PostgreSQL the rows 0003 updated may leave
deferred foreign-key checks pending until its transaction commits, and an index cannot be
built on a table with pending checks."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("volunteering", "0003_scan_seq_certificate_repeat"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="certificate",
            constraint=models.UniqueConstraint(
                condition=models.Q(("repeat_of__isnull", True), ("team__isnull", False)),
                fields=("volunteer", "team", "period_from", "period_to", "minutes", "records"),
                name="certificate_once_per_team",
            ),
        ),
        migrations.AddConstraint(
            model_name="certificate",
            constraint=models.UniqueConstraint(
                condition=models.Q(("repeat_of__isnull", True), ("team__isnull", True)),
                fields=("volunteer", "issuer", "period_from", "period_to", "minutes", "records"),
                name="certificate_once_per_committee",
            ),
        ),
        migrations.AddConstraint(
            model_name="scan",
            constraint=models.UniqueConstraint(
                condition=models.Q(("accepted", True)), fields=("volunteer", "activity", "seq"), name="scan_accepted_seq"
            ),
        ),
        migrations.AddConstraint(
            model_name="scan",
            constraint=models.CheckConstraint(
                condition=models.Q(("accepted", True), ("seq__isnull", True), _connector="OR"),
                name="scan_refused_unnumbered",
            ),
        ),
    ]
