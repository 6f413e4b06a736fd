"""People: trusts, accounts and roles, passwords, signing in, sessions and API tokens."""
