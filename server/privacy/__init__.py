"""Data protection (DSGVO): a guide's data export (Art. 15), erasure (Art. 17) and retention periods."""
