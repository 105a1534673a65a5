"""The archivists' work on letters: the review queue, corrections, setting a letter aside."""
