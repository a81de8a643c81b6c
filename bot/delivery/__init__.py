"""Delivery: messages stored before they are acknowledged, handed to the
conversation, and replies sent in order with retries (intake, inbox, outbox, workers,
batching, sent journal, the staff desk)."""
