"""Pages: the guides: list, profile, enrolment, import, certificates, data protection.

Their URLs are in routes.py; views, forms and templates/coordinator/ beside it.
"""
