"""Factories of the tests, one module per kind of thing made, all through the real use-cases:
trusts (the test trust, its rubric, schools, policies), people (users and the casts of each
kind of test), versions (`make_version`: a version in any status), answers, sign_in, audit,
and what the API, command-line, page, input, rubric, scoring and operations tests share."""
