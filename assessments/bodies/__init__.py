"""The trust's approving bodies: keeping them, and how they decide."""
