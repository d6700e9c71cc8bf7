"""Pages: the reports and the lists as spreadsheets.

Their URLs are in routes.py; views, forms and templates/coordinator/ beside it.
"""
