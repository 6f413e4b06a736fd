"""Email as the service sends it: composed from the outbox, over SMTP or into a folder."""
