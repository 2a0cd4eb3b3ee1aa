"""Use cases: one function per thing a user does, called by the CLI, the web page and the agent."""
