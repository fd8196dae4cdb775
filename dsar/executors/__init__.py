"""What each kind of right does once a request is verified, and the DPO's executors.

Each executor reads the data map; none keeps its own list of where personal data lives.
"""
