"""Signal receivers: each one only hands the event to a service."""
