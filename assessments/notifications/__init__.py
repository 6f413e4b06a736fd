"""Email: what people are told, how they choose to hear of it, and its delivery."""
