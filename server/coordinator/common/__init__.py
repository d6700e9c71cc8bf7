"""What every area of the desk shares: the blueprint, sign-in and access checks, forms, formatting, files and exports."""
