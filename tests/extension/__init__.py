"""The browser extension (extension/) in headless chromium against a stub of the replies API."""
