"""What the back office holds about people: nothing of its own."""

from datamap import exempt

exempt("backoffice.ScheduledRun", "The name and last run of a scheduled job; it names no person.")
