"""People and the company: accounts, login sessions, departments and groups, and who may see
what (process templates and items by department, projects by workgroup)."""
