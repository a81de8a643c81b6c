"""The application shell, above everything: configuration, the aiohttp server, the
CLI, the console, the wiring of retriever, store and engine, metrics and stand-ins."""
