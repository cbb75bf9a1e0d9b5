"""Background jobs: the job list (jobs.py) and the scheduler process that runs it (process.py)."""
