"""Ingestion: the pipeline (`pipeline`), the task a worker runs on one file (`analysis`), and the
sandboxed pool of worker processes (`workers`)."""
