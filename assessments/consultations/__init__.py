"""Staff voice: consulting the staff a draft affects, and their anonymous answers."""
