"""Calendars: each person's private feed of the review dates and action due dates they may
see, for their calendar app, and the generation of its link, which a new link moves on."""
