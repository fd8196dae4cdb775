"""Rights-request writes, one module per subject: filing (intake and e-mail verification),
steps (the privacy team's workflow and the statutory clock), subjects (matching a request to
accounts), letter_templates (the standard letters' wording); timeline holds what every step
shares.

Each step lands on the request's timeline (RequestEvent) and in the audit trail.
"""
