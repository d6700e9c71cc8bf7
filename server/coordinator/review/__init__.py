"""Pages: reviewing activities, conflicts, plenum meetings, messages to guides.

Their URLs are in routes.py; views, forms and templates/coordinator/ beside it.
"""
