"""Answering a survey: the rules an answer follows (shared with results and exports) and the answering flow
(drafts, tokens, review, submission)."""
