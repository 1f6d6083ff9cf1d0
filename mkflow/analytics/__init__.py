"""Analytics for the dashboards: figures computed with SQL aggregates from the event
history (and, for the present moment, from the open items themselves).

Every figure is built from a base query whose rows are the events or items it counts, so
the list behind a bar (``drill``) comes from the same query with a narrower filter.

- ``filters``: the period, department, template and person of a dashboard and who may
  ask for which;
- ``processes``: throughput, cycle time, time per stage, first-pass rate, cumulative flow;
- ``people``: each person's open, overdue and finished work and next week's workload;
- ``projects``: progress, overdue tasks, upcoming milestones, slipped tasks;
- ``company``: the departments side by side against the previous period;
- ``drill``: the items behind a figure.
"""
