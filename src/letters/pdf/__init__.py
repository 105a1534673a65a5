"""Readers of PDF files: the text layer and metadata (`extract`), Tesseract (`ocr`), digital
signatures (`signatures`), page thumbnails (`thumbnails`)."""
