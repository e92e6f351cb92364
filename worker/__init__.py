"""The Celery app, its thin tasks, the job queue sender and the reconciler."""
