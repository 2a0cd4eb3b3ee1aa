"""The spec's tracking events (section 12): what each name means, where it comes from, and
one reader that gathers them from git history, the test log, the agent and the web page."""
