"""Answering a survey: the rules an answer follows (shared with results and exports), the survey's structure as
frozen per-process copies (one per structure version), and the answering flow (drafts, tokens, review,
submission)."""
