"""Whether the archive is still what was archived: fixity of the originals, the parts agreeing
with one another, the hash-chained audit trail and the questions asked of it."""
