"""The human approval step: review states and who may move them, the audit trail of every
move, and (with plans) exports and signed webhooks. See docs/approval.md."""
