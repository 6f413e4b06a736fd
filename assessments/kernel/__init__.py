"""What every domain relies on: databases, errors, actors, the audit trail, input bounds and
the clock."""
