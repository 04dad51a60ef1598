"""Volunteering pages (htmx, mobile first for volunteers): activities, check-in, rosters and
closing, the volunteer's own page, teams, call-outs, certificates, and the volunteering panel
of a person's file. Routes in :mod:`.urls`; views by area in :mod:`.views`."""
