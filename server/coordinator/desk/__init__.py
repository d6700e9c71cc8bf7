"""Pages: the desk itself: sign-in, account, password, language, dashboard, search, audit log.

Their URLs are in routes.py; views, forms and templates/coordinator/ beside it.
"""
