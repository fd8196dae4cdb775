"""The privacy notice generated from the records: its frame (content), the tables and page
(generate), and what changed between versions (compare)."""
