"""Warm-heart canteens (暖心食堂): sites, coverage plan, elders, daily service, cooks, donations,
clinics and pre-meal sessions. See :mod:`rongxin.canteens.models`."""
