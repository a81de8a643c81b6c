"""The contract every layer may import: channel-neutral messages, what an
adapter is given (an intake) and provides (a sender), and what code reports (telemetry)."""
