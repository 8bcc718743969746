"""Permit pages: `apply` (the application wizard and drafts), `permit` (the applicant's
own permit page) and `public` (search and the public permit page)."""
