"""Loading the files of seeds/ (the company, process and project templates, demo data)."""
