"""Three years of synthetic volunteering for a generated county (after its credit history).

At scale 1.0: 170,000 volunteers (mostly residents; minors registered with a guardian), 352
teams in the three tiers (department expert and urban professional teams at county level,
town-village self-service teams in the towns and a quarter of the villages), 36 months of
activities (3,000 a month of the shipped activity types, 2% cancelled) and about 100,000
participations a month: sign-ups, QR or assisted check-in and check-out scans, service records,
hours awards under the conversion policy, and the credit entries those awards earn.

The shape of the data, module by module:

- :mod:`~rongxin.synth.volunteering.planning` (main process, reads the county from the
  database): :func:`~rongxin.synth.volunteering.planning.plan_volunteering` chooses volunteers
  (:mod:`~rongxin.synth.volunteering.volunteers`), teams and memberships
  (:mod:`~rongxin.synth.volunteering.teams`), activities and *participations* (volunteer,
  activity, outcome; :mod:`~rongxin.synth.volunteering.activities`), in time order so nobody
  attends two activities at once, nobody signs up before joining, and age and skill
  requirements hold. Outcomes: attended, no-show, cancelled sign-up, check-in without
  check-out, a duplicate (refused) check-in, assisted scans, a scan outside the geofence, a
  record corrected later (revision 2) or a correction refused, the waiting list. The numbers
  and names are in :mod:`~rongxin.synth.volunteering.shape`, the plan's records and counts in
  :mod:`~rongxin.synth.volunteering.plan`.
- :mod:`~rongxin.synth.volunteering.produce` (forked workers, no database): per chunk of
  volunteers, every volunteer's rows in their own time order: sign-ups, scans, service records
  whose minutes and flags come from
  :func:`rongxin.volunteering.domain.conversion.attendance_from_scans` (the closing service's own
  rule), and :mod:`~rongxin.synth.volunteering.awards`: hours awards along
  :class:`~rongxin.volunteering.domain.conversion.Policy` (each activity closed on its own, as an
  organiser would: ``minutes_before`` and the year's points are the volunteer's standing awards
  at that moment), corrections (the award superseded, a ``superseded`` transition on its credit
  entry, a new award from the same place in the year), and the credit entries, trimmed to the
  rules' own caps exactly as :func:`rongxin.credit.services.awards.awards_record` does, keyed
  ``volunteering:<activity>:<volunteer>:r<revision>``, and chained after the subject's history
  with :func:`rongxin.credit.services.bulk.build_rows`. The tables' columns are in
  :mod:`~rongxin.synth.volunteering.rows`.
- :func:`~rongxin.synth.volunteering.load.generate_volunteering`: writes it all in one
  transaction with :class:`~rongxin.core.bulk.BulkWriter`, then refreshes the volunteers'
  scores.

Deterministic for ``(seed, now)``: the plan draws from seeded streams in a fixed order and each
volunteer's rows from a stream seeded by their subject id, so the number of workers does not
matter. Credit rules: the hour-based rules (P-VOL-01/04, P-PRA-03/04/05/10) are earned here
only; the history generator leaves them out.
"""
