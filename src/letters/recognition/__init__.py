"""Letter recognition: `recognize` (the entry point) and its parts: layout, dates, names, parties,
language."""
