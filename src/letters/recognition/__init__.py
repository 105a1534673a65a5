"""The parts of letter recognition: layout, dates, names, parties, language."""
