"""The benchmark (`make bench`): a register of 100,000 assessment versions, measured against
baselines served by the same uvicorn in the same run. Not part of `make test`."""
