"""Pure rules of volunteering: no database, no request, no settings.

Hours and stars (:mod:`.hours`), volunteer numbers and ages (:mod:`.volunteers`), distances
(:mod:`.geo`), service time and points (:mod:`.conversion`), check-in codes (:mod:`.tokens`),
certificate numbers, digests and texts (:mod:`.certificates`) and the certificate's page
(:mod:`.certificate_pdf`).
"""
