"""Pages: the organization's set-up (admins), its reporting settings, its public profile.

Their URLs are in routes.py; views, forms and templates/coordinator/ beside it.
"""
