"""A version's moves from draft to a decision, and what approvers read to decide."""
