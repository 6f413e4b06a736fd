"""The domain: rubrics, scoring, policies, assessments, use-cases. Knows nothing of HTTP."""
