"""Keeping facilities connected: evidence that data arrives, and each account's status.

`models.py` holds the tables, `status.py` the one transition table, `services.py` every
write (the sweep, manual moves), `ingest.py` the sync reports, `keys.py` the API keys.
"""
