"""Pairing letters into exchanges: the pairing rule, the exchanges as pages show them, and each
partner's founding exchange as decided."""
