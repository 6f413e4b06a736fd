"""A version being written: answers, workload, mitigating actions, contributors, stored results."""
