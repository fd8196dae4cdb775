"""Rights-request writes, one module per subject: filing (intake and e-mail verification),
intake (rate limits and the "check your e-mail" token around filing), steps (the privacy team's
workflow and the statutory clock), subjects (matching a request to accounts), letters
(rendering and sending the standard letters), letter_templates (the DPO's edits to their
wording); timeline holds what every step shares.

Each step lands on the request's timeline (RequestEvent) and in the audit trail.
"""
