"""Rubric-based content plans: the request, the rules a plan must keep (checked in code), and
(next) their repair, the offline composer and the model's path. See docs/plans.md."""
