"""Pages: partner institutions, requests for a guide, offers, agreements (assignments).

Their URLs are in routes.py; views, forms and templates/coordinator/ beside it.
"""
