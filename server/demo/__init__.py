"""The demo data set: `seed.py` builds it from the tables in `data.py`."""
