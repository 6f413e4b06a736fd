"""The domain: rubrics, scoring, policies, assessments and their use-cases. Knows nothing of HTTP."""
