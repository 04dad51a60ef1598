"""Volunteering views by area: activities and sign-up, attendance (check-in, scans, roster and
close), the volunteer's own pages, corrections, teams, call-outs and certificates."""
