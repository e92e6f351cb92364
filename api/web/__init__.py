"""The manager's review page: server-rendered HTML on the approval API's services (docs/web.md)."""
