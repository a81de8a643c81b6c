"""The conversation: what the bot says to a citizen's message, given the
conversation's state (engine, intents, answers, phrases, state, feedback flow)."""
