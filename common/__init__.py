"""What several apps share: API errors, parsing and schema, CSV with formula neutralisation,
form helpers, rate limits, the client's address, request-hygiene middleware.

Nothing here imports an app: apps import common, never the other way round.
"""
