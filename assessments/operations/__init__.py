"""Running the service: backups of the embedded database, and the demo trust."""
