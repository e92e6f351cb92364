"""The FastAPI app: routes, schemas, auth, error mapping; and the `postcraft` CLI."""
