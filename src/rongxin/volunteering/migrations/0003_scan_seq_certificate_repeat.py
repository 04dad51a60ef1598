"""Number accepted attendance scans and mark repeated certificates, before 0004 makes both
unique.

Existing rows cannot break the new constraints, whatever they hold:

- ``Scan.seq``: every accepted scan gets its place among the accepted scans of the same
  volunteer and activity, in time order (ties by id). Duplicates that the check-in race let in
  (two accepted check-ins at the same moment) get 1 and 2, so they stay as they were written;
  the roster already ignores a second check-in while one is open. Refused scans keep none.
- ``Certificate.repeat_of``: of certificates with the same volunteer, issuer (team, or the
  committee's name without a team), period and totals, the first issued stays the original and
  each later copy points to it. Copies are kept: they may have been printed, and verification
  reads the certificate's own row, so they still verify.

Correlated subqueries rather than window functions in ``UPDATE ... FROM``, so the same SQL runs
on every SQLite that Django 5.2 supports; each looks up a handful of rows by index.
"""

import django.db.models.deletion
from django.db import migrations, models

NUMBER_SCANS = """
UPDATE volunteering_scan SET seq = (
    SELECT COUNT(*) FROM volunteering_scan AS earlier
    WHERE earlier.activity_id = volunteering_scan.activity_id
      AND earlier.volunteer_id = volunteering_scan.volunteer_id
      AND earlier.accepted
      AND (earlier.at < volunteering_scan.at OR (earlier.at = volunteering_scan.at AND earlier.id <= volunteering_scan.id))
)
WHERE accepted
"""

MARK_REPEATS = """
UPDATE volunteering_certificate SET repeat_of_id = (
    SELECT MIN(original.id) FROM volunteering_certificate AS original
    WHERE original.id < volunteering_certificate.id
      AND original.volunteer_id = volunteering_certificate.volunteer_id
      AND (
          original.team_id = volunteering_certificate.team_id
          OR (original.team_id IS NULL AND volunteering_certificate.team_id IS NULL
              AND original.issuer = volunteering_certificate.issuer)
      )
      AND original.period_from = volunteering_certificate.period_from
      AND original.period_to = volunteering_certificate.period_to
      AND original.minutes = volunteering_certificate.minutes
      AND original.records = volunteering_certificate.records
)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("volunteering", "0002_activity_types_policy"),
    ]

    operations = [
        migrations.AddField(
            model_name="certificate",
            name="repeat_of",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="volunteering.certificate",
                verbose_name="repeat of",
            ),
        ),
        migrations.AddField(
            model_name="scan",
            name="seq",
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name="accepted scan number"),
        ),
        migrations.RunSQL(NUMBER_SCANS, reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL(MARK_REPEATS, reverse_sql=migrations.RunSQL.noop),
    ]
