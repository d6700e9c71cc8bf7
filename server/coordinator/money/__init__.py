"""Pages: claims, payouts, rates, each guide's allowance ledger, restricted records.

Their URLs are in routes.py; views, forms and templates/coordinator/ beside it.
"""
