"""What can happen: one module per use case, called by the API, the web pages, the CLI and the scheduler."""
