"""mkflow: business processes, projects and Gantt charts for a marketing department.

The app is built by ``mkflow.application.create_app``; docs/architecture.md shows the tree.
"""
