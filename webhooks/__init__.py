"""Outgoing webhooks of the approval step: each review move becomes one signed delivery per
active endpoint of its brand (recorded in the move's transaction), sent from the job queue and
retried with back-off. See docs/webhooks.md."""
