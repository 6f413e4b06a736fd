"""What is assessed: the trust's schools and policies."""
